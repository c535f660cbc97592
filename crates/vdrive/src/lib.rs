//! discburn vdrive (in progress)
