//! The disc: READ DISC INFORMATION and its data, READ TOC/PMA/ATIP (formats 0 and 1) and its data, READ DISC STRUCTURE.
