//! Document parsing against real files from outside the project (tests/fixtures,
//! with their sources and licences) and files made here.

mod msg;
mod pdf;
mod samples;
