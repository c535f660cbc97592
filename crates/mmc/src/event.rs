//! GET EVENT STATUS NOTIFICATION and its media event status data.
