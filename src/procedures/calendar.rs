//! Placeholder.

use super::Made;
use crate::site::Site;

pub(super) fn unit_pages(_site: &Site, _unit: usize, _made: &mut Made) {}
