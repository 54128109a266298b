//! The `rich` world of bench/apps implemented in Rust: the per-call floor. Each function does what
//! the Python app does, so the hosts' checks pass, and nothing else.

use std::cell::Cell;

wit_bindgen::generate!({ path: "../apps/rich/wit", world: "rich" });

use exports::bench::rich::api::{Color, Guest, GuestCounter, Item, Point, Shape};

struct Floor;

impl Guest for Floor {
    type Counter = Counter;

    fn add(a: u32, b: u32) -> u32 {
        a.wrapping_add(b)
    }

    fn echo_bytes(data: Vec<u8>) -> Vec<u8> {
        data
    }

    fn echo_strings(items: Vec<String>) -> Vec<String> {
        items
    }

    fn area(s: Shape) -> f64 {
        match s {
            Shape::Circle(r) => std::f64::consts::PI * r * r,
            Shape::Rect((a, b)) => f64::from((b.x - a.x).abs() * (b.y - a.y).abs()),
            Shape::Dot => 0.0,
        }
    }

    fn next_color(c: Color) -> Color {
        match c {
            Color::Red => Color::Green,
            Color::Green => Color::Blue,
            Color::Blue => Color::Red,
        }
    }

    fn sort_points(mut points: Vec<Point>) -> Vec<Point> {
        points.sort_by_key(|p| (p.x, p.y));
        points
    }

    fn parse_u32(s: String) -> Result<u32, String> {
        s.parse().map_err(|_| format!("not a number: {s}"))
    }

    fn describe(i: Item) -> String {
        let place = i
            .where_
            .map(|p| format!(" at ({}, {})", p.x, p.y))
            .unwrap_or_default();
        format!("{} [{}]{place} {:?}", i.name, i.tags.join(", "), i.perms)
    }
}

/// The exported resource: a number that grows.
struct Counter(Cell<u32>);

impl GuestCounter for Counter {
    fn new(start: u32) -> Self {
        Counter(Cell::new(start))
    }

    fn increment(&self, by: u32) -> u32 {
        self.0.set(self.0.get().wrapping_add(by));
        self.0.get()
    }
}

export!(Floor);
