//! Nothing a feed, a page or an article contains stops the daemon or hides a loss: each
//! hostile input beside five good items, through the real binary.

mod common;
