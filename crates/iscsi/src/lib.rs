//! discburn iscsi (in progress)
