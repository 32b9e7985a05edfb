//! The binary's integration tests (one test binary; a module per topic).

mod backup;
mod catch_up;
mod city;
mod crash;
mod districts;
mod english;
mod rush;
