//! Developing the workers: 红领学院 training with its attendance, and the 红领导师团's
//! mentoring (mentors, pairs, studios, activities).

pub mod mentoring;
pub mod training;
