//! Presence (y-protocols awareness): name, color and selected node per user, outside the document
//! (issue 6). Placeholder until that work lands.
