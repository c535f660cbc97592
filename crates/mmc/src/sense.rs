//! Sense data: fixed and descriptor formats, sense keys, the ASC/ASCQ table, progress, and a classification the engine acts on.
