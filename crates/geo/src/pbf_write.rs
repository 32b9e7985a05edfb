//! A small OpenStreetMap PBF writer, for tests and benchmarks only: it lets a generated city be
//! read back through the same PBF path as a real extract (so "PBF → graph" can be timed at two
//! million nodes), and lets tests build tiny extracts with exactly the tags they are about.
//!
//! It writes the subset readers need: an `OSMHeader` blob (`OsmSchema-V0.6`, `DenseNodes`),
//! then `OSMData` blobs of dense nodes, then of ways, zlib-compressed, 8,000 elements a block.
//! The protobuf messages are encoded by hand (a few fields of fileformat.proto and
//! osmformat.proto), which keeps the crate free of a protobuf code generator.

use std::collections::HashMap;
use std::io::Write;

use crate::codec::{varint, zigzag};
use crate::network::Network;

/// A node to write: id, lon, lat (degrees) and tags.
pub type NodeRecord = (i64, f64, f64, Vec<(String, String)>);
/// A way to write: id, node ids and tags.
pub type WayRecord = (i64, Vec<i64>, Vec<(String, String)>);

const BLOCK: usize = 8000;

fn key(out: &mut Vec<u8>, field: u32, wire: u8) {
    varint(out, (u64::from(field) << 3) | u64::from(wire));
}

fn bytes_field(out: &mut Vec<u8>, field: u32, data: &[u8]) {
    key(out, field, 2);
    varint(out, data.len() as u64);
    out.extend_from_slice(data);
}

fn packed(out: &mut Vec<u8>, field: u32, values: impl Iterator<Item = u64>) {
    let mut body = Vec::new();
    for v in values {
        varint(&mut body, v);
    }
    bytes_field(out, field, &body);
}

/// Strings of one block, indexed as the format wants (entry 0 is the empty string).
#[derive(Default)]
struct Strings {
    index: HashMap<String, u32>,
    list: Vec<String>,
}

impl Strings {
    fn new() -> Strings {
        let mut s = Strings::default();
        s.id("");
        s
    }

    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.list.len() as u32;
        self.index.insert(s.to_string(), i);
        self.list.push(s.to_string());
        i
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for s in &self.list {
            bytes_field(&mut out, 1, s.as_bytes());
        }
        out
    }
}

fn blob(w: &mut impl Write, kind: &str, message: &[u8]) -> std::io::Result<()> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(message)?;
    let compressed = z.finish()?;
    let mut body = Vec::new();
    key(&mut body, 2, 0);
    varint(&mut body, message.len() as u64);
    bytes_field(&mut body, 3, &compressed);
    let mut header = Vec::new();
    bytes_field(&mut header, 1, kind.as_bytes());
    key(&mut header, 3, 0);
    varint(&mut header, body.len() as u64);
    w.write_all(&(header.len() as u32).to_be_bytes())?;
    w.write_all(&header)?;
    w.write_all(&body)
}

fn block(strings: &Strings, group: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    bytes_field(&mut out, 1, &strings.encode());
    bytes_field(&mut out, 2, group);
    out
}

/// Writes nodes and ways as a PBF file (nodes must be sorted by id for readers that expect it).
pub fn write_pbf(
    w: &mut impl Write,
    nodes: &[NodeRecord],
    ways: &[WayRecord],
) -> std::io::Result<()> {
    let mut header = Vec::new();
    bytes_field(&mut header, 4, b"OsmSchema-V0.6");
    bytes_field(&mut header, 4, b"DenseNodes");
    bytes_field(&mut header, 16, b"jianguan-geo");
    blob(w, "OSMHeader", &header)?;
    for chunk in nodes.chunks(BLOCK) {
        let mut strings = Strings::new();
        let mut keys_vals = Vec::new();
        let any_tags = chunk.iter().any(|n| !n.3.is_empty());
        for n in chunk {
            for (k, v) in &n.3 {
                keys_vals.push(u64::from(strings.id(k)));
                keys_vals.push(u64::from(strings.id(v)));
            }
            keys_vals.push(0);
        }
        let mut dense = Vec::new();
        let delta = |f: &dyn Fn(&NodeRecord) -> i64| {
            let mut prev = 0i64;
            chunk
                .iter()
                .map(|n| {
                    let v = f(n);
                    let d = zigzag(v - prev);
                    prev = v;
                    d
                })
                .collect::<Vec<u64>>()
        };
        packed(&mut dense, 1, delta(&|n| n.0).into_iter());
        packed(
            &mut dense,
            8,
            delta(&|n| (n.2 * 1e7).round() as i64).into_iter(),
        );
        packed(
            &mut dense,
            9,
            delta(&|n| (n.1 * 1e7).round() as i64).into_iter(),
        );
        if any_tags {
            packed(&mut dense, 10, keys_vals.into_iter());
        }
        let mut group = Vec::new();
        bytes_field(&mut group, 2, &dense);
        blob(w, "OSMData", &block(&strings, &group))?;
    }
    for chunk in ways.chunks(BLOCK) {
        let mut strings = Strings::new();
        let mut group = Vec::new();
        for (id, refs, tags) in chunk {
            let mut way = Vec::new();
            key(&mut way, 1, 0);
            varint(&mut way, *id as u64);
            let ids: Vec<(u32, u32)> = tags
                .iter()
                .map(|(k, v)| (strings.id(k), strings.id(v)))
                .collect();
            packed(&mut way, 2, ids.iter().map(|p| u64::from(p.0)));
            packed(&mut way, 3, ids.iter().map(|p| u64::from(p.1)));
            let mut prev = 0i64;
            packed(
                &mut way,
                8,
                refs.iter().map(|&r| {
                    let d = zigzag(r - prev);
                    prev = r;
                    d
                }),
            );
            bytes_field(&mut group, 3, &way);
        }
        blob(w, "OSMData", &block(&strings, &group))?;
    }
    Ok(())
}

/// A network as PBF: its nodes (ids from `source_id`) and its edges joined greedily into ways
/// tagged `highway=residential` (each edge in exactly one way, as a street is in OSM).
pub fn network_to_pbf(w: &mut impl Write, net: &Network) -> std::io::Result<()> {
    let mut order: Vec<u32> = (0..net.node_count() as u32).collect();
    order.sort_unstable_by_key(|&v| net.source_id[v as usize]);
    let nodes: Vec<NodeRecord> = order
        .iter()
        .map(|&v| {
            (
                net.source_id[v as usize],
                net.lon[v as usize],
                net.lat[v as usize],
                Vec::new(),
            )
        })
        .collect();
    drop(order);
    // An arc is used when its edge is in a way; the reverse arc is found by scanning the head's
    // short adjacency list.
    let mut used = vec![false; net.targets.len()];
    let reverse = |v: u32, i: usize| -> usize {
        let w = net.targets[i];
        (net.offsets[w as usize] as usize..net.offsets[w as usize + 1] as usize)
            .find(|&j| net.targets[j] == v && net.lengths[j] == net.lengths[i])
            .unwrap_or(i)
    };
    let tags = vec![("highway".to_string(), "residential".to_string())];
    let mut ways = Vec::new();
    for start in 0..net.node_count() as u32 {
        loop {
            let next = |v: u32, used: &[bool]| {
                (net.offsets[v as usize] as usize..net.offsets[v as usize + 1] as usize)
                    .find(|&i| !used[i])
            };
            let Some(first) = next(start, &used) else {
                break;
            };
            let mut refs = vec![net.source_id[start as usize]];
            let (mut v, mut arc) = (start, first);
            loop {
                used[arc] = true;
                let r = reverse(v, arc);
                used[r] = true;
                v = net.targets[arc];
                refs.push(net.source_id[v as usize]);
                // Ways of up to 50 nodes, like streets between a few junctions.
                match next(v, &used) {
                    Some(a) if refs.len() < 50 => arc = a,
                    _ => break,
                }
            }
            ways.push((ways.len() as i64 + 1, refs, tags.clone()));
        }
    }
    write_pbf(w, &nodes, &ways)
}
