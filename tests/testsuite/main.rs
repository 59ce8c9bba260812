//! tessera's integration tests: one binary (so it links once), a module per capability,
//! and beside each module a folder of the small reviews it runs on.

mod build;
mod check;
mod check_render;
mod data;
mod editions;
mod evidence;
mod harvest;
mod hosting;
mod publish;
mod replace;
mod sample;
mod scale;
mod search;
mod serve;
mod support;
mod warnings;
