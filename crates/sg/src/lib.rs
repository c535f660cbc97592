//! discburn sg (in progress)
