//! IMAPI2 façade (in progress).
