//! MODE SENSE(10) / MODE SELECT(10): the mode parameter header and pages 01h, 05h (Write Parameters) and 2Ah (Capabilities).
