//! The writer's old names, for `axvdso-image` until it moves to the new ones.
//! Hidden from the docs; delete this file once nothing uses it.

/// The old name of [`VvarWriter`](crate::VvarWriter).
pub type Vvar<'a> = crate::VvarWriter<'a>;
