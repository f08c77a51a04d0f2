//! An asset's lineage drawn as a graph, server-side, as inline SVG: the assets it was
//! derived from on the left, the asset in the middle, the assets derived from it on the
//! right; each edge says what allowed the derivation (the Use right, or a grant). Boxes
//! link to their assets' pages.

use shuquan_ledger::Ledger;
use shuquan_proto::Hash32;

use super::error::Fail;
use super::text::prefix;

/// Most boxes on one side; the rest show as one `+N` box.
const MOST_PER_SIDE: usize = 12;
const BOX_W: i32 = 230;
const BOX_H: i32 = 46;
const GAP: i32 = 16;
const MARGIN: i32 = 16;
const COLUMNS: [i32; 3] = [MARGIN, MARGIN + BOX_W + 90, MARGIN + 2 * (BOX_W + 90)];
/// Most characters of a name in a box.
const NAME_CHARS: usize = 26;

/// A box: an asset.
#[derive(Debug)]
pub(super) struct Node {
    pub(super) x: i32,
    pub(super) y: i32,
    pub(super) w: i32,
    pub(super) h: i32,
    /// The asset's name, shortened.
    pub(super) name: String,
    /// Its id's prefix.
    pub(super) id: String,
    /// Its page; empty for the `+N` box.
    pub(super) href: String,
    /// The asset the page is about.
    pub(super) center: bool,
}

impl Node {
    /// Where the name line sits.
    pub(super) fn name_y(&self) -> i32 {
        self.y + 20
    }

    /// Where the id line sits.
    pub(super) fn id_y(&self) -> i32 {
        self.y + 37
    }

    /// Where text starts.
    pub(super) fn text_x(&self) -> i32 {
        self.x + 10
    }
}

/// An arrow from a parent to its child, with what allowed the derivation.
#[derive(Debug)]
pub(super) struct Edge {
    /// The SVG path.
    pub(super) d: String,
    pub(super) label_x: i32,
    pub(super) label_y: i32,
    pub(super) label: String,
}

/// The graph.
#[derive(Debug)]
pub(super) struct Graph {
    pub(super) width: i32,
    pub(super) height: i32,
    pub(super) nodes: Vec<Node>,
    pub(super) edges: Vec<Edge>,
}

impl Graph {
    /// Whether the asset has neither parents nor children.
    pub(super) fn alone(&self) -> bool {
        self.nodes.len() <= 1
    }

    /// The lineage of asset `id` (named `name`); `via` labels the edges: derived under the
    /// Use right, and (before its id) under a grant.
    pub(super) fn of_asset(
        ledger: &Ledger,
        id: &Hash32,
        name: &str,
        (via_use, via_grant): (&str, &str),
    ) -> Result<Graph, Fail> {
        let q = ledger.queries();
        let Some(lineage) = q.lineage(id)? else {
            return Ok(Graph::layout(id, name, Vec::new(), Vec::new()));
        };
        let side = |edges: &[shuquan_proto::views::EdgeView]| -> Result<Vec<Side>, Fail> {
            let mut out = Vec::new();
            for e in edges {
                let name = q.asset(&e.asset)?.map(|a| a.name).unwrap_or_default();
                let label = if e.via == "use-right" {
                    via_use.to_string()
                } else {
                    format!("{via_grant} {}", prefix(&e.via))
                };
                out.push(Side {
                    id: e.asset,
                    name,
                    label,
                });
            }
            Ok(out)
        };
        let parents = side(&lineage.parents)?;
        let children = side(&lineage.children)?;
        Ok(Graph::layout(id, name, parents, children))
    }

    fn layout(id: &Hash32, name: &str, parents: Vec<Side>, children: Vec<Side>) -> Graph {
        let rows = parents
            .len()
            .max(children.len())
            .clamp(1, MOST_PER_SIDE + 1) as i32;
        let height = rows * (BOX_H + GAP) - GAP + 2 * MARGIN;
        let width = COLUMNS[2] + BOX_W + MARGIN;
        let center = Node {
            x: COLUMNS[1],
            y: (height - BOX_H) / 2,
            w: BOX_W,
            h: BOX_H,
            name: shorten(name),
            id: prefix(&id.to_hex()),
            href: String::new(),
            center: true,
        };
        let (cx, cy) = (center.x, center.y + BOX_H / 2);
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        for (col, list, incoming) in [(0, &parents, true), (2, &children, false)] {
            let shown = list.len().min(MOST_PER_SIDE);
            let boxes = shown as i32 + i32::from(list.len() > MOST_PER_SIDE);
            let top = (height - (boxes * (BOX_H + GAP) - GAP)) / 2;
            for (i, s) in list.iter().take(MOST_PER_SIDE).enumerate() {
                let node = Node {
                    x: COLUMNS[col],
                    y: top + i as i32 * (BOX_H + GAP),
                    w: BOX_W,
                    h: BOX_H,
                    name: shorten(&s.name),
                    id: prefix(&s.id.to_hex()),
                    href: format!("/explorer/assets/{}", s.id),
                    center: false,
                };
                let ny = node.y + BOX_H / 2;
                let (from, to) = if incoming {
                    ((node.x + BOX_W, ny), (cx, cy))
                } else {
                    ((cx + BOX_W, cy), (node.x, ny))
                };
                edges.push(edge(from, to, s.label.clone()));
                nodes.push(node);
            }
            if list.len() > MOST_PER_SIDE {
                nodes.push(Node {
                    x: COLUMNS[col],
                    y: top + shown as i32 * (BOX_H + GAP),
                    w: BOX_W,
                    h: BOX_H,
                    name: format!("+{}", list.len() - MOST_PER_SIDE),
                    id: String::new(),
                    href: String::new(),
                    center: false,
                });
            }
        }
        nodes.push(center);
        Graph {
            width,
            height,
            nodes,
            edges,
        }
    }
}

/// One parent or child.
struct Side {
    id: Hash32,
    name: String,
    label: String,
}

fn edge((x1, y1): (i32, i32), (x2, y2): (i32, i32), label: String) -> Edge {
    let mx = (x1 + x2) / 2;
    Edge {
        d: format!("M{x1},{y1} C{mx},{y1} {mx},{y2} {x2},{y2}"),
        label_x: mx,
        label_y: (y1 + y2) / 2 - 5,
        label,
    }
}

fn shorten(name: &str) -> String {
    if name.chars().count() > NAME_CHARS {
        let mut s: String = name.chars().take(NAME_CHARS - 1).collect();
        s.push('…');
        s
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(n: u8) -> Side {
        Side {
            id: Hash32::from_slice(&[n; 32]).unwrap_or_default(),
            name: format!("asset {n}"),
            label: "via Use".into(),
        }
    }

    #[test]
    fn parents_point_at_the_asset_and_the_asset_at_its_children() {
        let id = Hash32::from_slice(&[9; 32]).unwrap_or_default();
        let g = Graph::layout(&id, "me", vec![side(1), side(2)], vec![side(3)]);
        assert_eq!(g.nodes.len(), 4);
        assert_eq!(g.edges.len(), 3);
        let center = g.nodes.iter().find(|n| n.center).map(|n| n.x);
        assert_eq!(center, Some(COLUMNS[1]));
        assert!(g.edges[0]
            .d
            .starts_with(&format!("M{},", COLUMNS[0] + BOX_W)));
        assert!(g.edges[2]
            .d
            .ends_with(&format!("{},{}", COLUMNS[2], g.nodes[2].y + BOX_H / 2)));
        assert!(!g.alone());
    }

    #[test]
    fn a_long_side_ends_in_one_box_for_the_rest() {
        let id = Hash32::from_slice(&[9; 32]).unwrap_or_default();
        let many: Vec<Side> = (0..20).map(side).collect();
        let g = Graph::layout(&id, "me", many, Vec::new());
        assert_eq!(g.nodes.len(), MOST_PER_SIDE + 2);
        assert!(g.nodes.iter().any(|n| n.name == "+8"));
        assert_eq!(g.edges.len(), MOST_PER_SIDE);
    }
}
