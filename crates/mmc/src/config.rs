//! GET CONFIGURATION: the command, its header, feature descriptors and the profile list.
