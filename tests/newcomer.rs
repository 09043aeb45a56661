//! A newcomer's first hour: config mistakes get a located, helpful error from `check`.

mod common;
