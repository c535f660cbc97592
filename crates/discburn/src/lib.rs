//! discburn discburn (in progress)
