//! MMC-6 media profiles with name, family, recordability and 1x rate.
