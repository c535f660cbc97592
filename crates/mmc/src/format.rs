//! Formatting and erasing: FORMAT UNIT with its parameter list, READ FORMAT CAPACITIES and its data, BLANK.
