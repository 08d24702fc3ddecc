// Chakra trace files: the varint framing is read here (bounded: a message is at most
// kMaxChakraMessageBytes and must fit in what is left of the file), each message by the
// protobuf-lite parser generated from chakra_et.proto.
#include "aifabric/workload/chakra/chakra_trace.h"

#include <string>
#include <unordered_set>

#include "aifabric/core/parse.h"
#include "aifabric/workload/chakra/chakra_et.pb.h"
#include "aifabric/workload/collectives/collectives.h"

namespace aifabric {
namespace {

namespace pb = ::aifabric::chakra;

// A base-128 varint of at most 5 bytes (a 32-bit length); false if malformed or cut.
bool read_varint32(std::string_view bytes, size_t& pos, uint64_t& out) {
  out = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (pos >= bytes.size()) return false;
    const auto b = static_cast<uint8_t>(bytes[pos++]);
    out |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

// An attribute's integer value, whichever integer type the writer chose.
Result<int64_t> integer_of(const pb::Attribute& a) {
  switch (a.value_case()) {
    case pb::Attribute::kInt32Val:
      return int64_t{a.int32_val()};
    case pb::Attribute::kInt64Val:
      return a.int64_val();
    case pb::Attribute::kUint32Val:
      return int64_t{a.uint32_val()};
    case pb::Attribute::kUint64Val:
      if (a.uint64_val() > static_cast<uint64_t>(INT64_MAX)) break;
      return static_cast<int64_t>(a.uint64_val());
    case pb::Attribute::kSint32Val:
      return int64_t{a.sint32_val()};
    case pb::Attribute::kSint64Val:
      return a.sint64_val();
    default:
      return Status::error("attribute " + quote_input(a.name()) + " is not an integer");
  }
  return Status::error("attribute " + quote_input(a.name()) + " is out of range");
}

struct Attrs {
  bool cpu_op = false;
  bool has_num_ops = false;
  bool has_type = false, has_size = false, has_src = false, has_dst = false;
  int64_t comm_type = 0, comm_size = 0, comm_src = 0, comm_dst = 0, comm_tag = 0;
  std::string pg_name;
};

Result<Attrs> read_attrs(const pb::Node& n) {
  Attrs a;
  std::unordered_set<std::string> seen;
  for (const pb::Attribute& at : n.attr()) {
    const std::string& name = at.name();
    int64_t* into = nullptr;
    bool* has = nullptr;
    if (name == "comm_type") {
      into = &a.comm_type;
      has = &a.has_type;
    } else if (name == "comm_size") {
      into = &a.comm_size;
      has = &a.has_size;
    } else if (name == "comm_src") {
      into = &a.comm_src;
      has = &a.has_src;
    } else if (name == "comm_dst") {
      into = &a.comm_dst;
      has = &a.has_dst;
    } else if (name == "comm_tag") {
      into = &a.comm_tag;
    } else if (name == "pg_name") {
      if (at.value_case() != pb::Attribute::kStringVal) {
        return Status::error("attribute pg_name is not a string");
      }
      a.pg_name = at.string_val();
    } else if (name == "is_cpu_op") {
      if (at.value_case() != pb::Attribute::kBoolVal) {
        return Status::error("attribute is_cpu_op is not a bool");
      }
      a.cpu_op = at.bool_val();
    } else if (name == "num_ops") {
      a.has_num_ops = true;
    } else {
      continue;  // descriptive (op_schema, tensor_size, ...): nothing to simulate
    }
    if (!seen.insert(name).second) return Status::error("attribute " + name + " appears twice");
    if (into == nullptr) continue;
    auto v = integer_of(at);
    if (!v) return v.status();
    *into = *v;
    if (has != nullptr) *has = true;
  }
  return a;
}

Result<int64_t> comm_bytes(const Attrs& a) {
  if (!a.has_size) return Status::error("no comm_size");
  if (a.comm_size < 0 || static_cast<uint64_t>(a.comm_size) > kMaxChakraCommBytes) {
    return Status::error("comm_size " + std::to_string(a.comm_size) + " is outside 0.." +
                         std::to_string(kMaxChakraCommBytes));
  }
  return a.comm_size;
}

Result<uint32_t> peer_of(int64_t v, std::string_view what, uint32_t rank, uint32_t ranks) {
  if (v < 0 || v >= ranks) {
    return Status::error(std::string(what) + " " + std::to_string(v) + " is not a rank (0.." +
                         std::to_string(ranks - 1) + ")");
  }
  if (static_cast<uint32_t>(v) == rank) {
    return Status::error(std::string(what) + " " + std::to_string(v) + " is this rank itself");
  }
  return static_cast<uint32_t>(v);
}

Status map_node(const pb::Node& n, uint32_t rank, uint32_t ranks, ChakraNode& out) {
  out.id = n.id();
  out.name = printable(n.name().substr(0, 200));
  out.deps.assign(n.data_deps().begin(), n.data_deps().end());
  out.deps.insert(out.deps.end(), n.ctrl_deps().begin(), n.ctrl_deps().end());
  auto attrs = read_attrs(n);
  if (!attrs) return attrs.status();
  const Attrs& a = *attrs;
  switch (static_cast<int>(n.type())) {
    case pb::METADATA_NODE:
      out.kind = ChakraKind::kPass;
      return Status::ok();
    case pb::COMP_NODE: {
      if (a.cpu_op) {
        out.kind = ChakraKind::kPass;
        return Status::ok();
      }
      if (n.duration_micros() == 0 && a.has_num_ops) {
        return Status::error(
            "compute node with num_ops but no duration_micros: the roofline "
            "model is not mapped");
      }
      if (n.duration_micros() > kMaxChakraMicros) {
        return Status::error("duration_micros " + std::to_string(n.duration_micros()) +
                             " is above " + std::to_string(kMaxChakraMicros));
      }
      out.kind = ChakraKind::kCompute;
      out.duration = Time::us(static_cast<int64_t>(n.duration_micros()));
      return Status::ok();
    }
    case pb::COMM_COLL_NODE: {
      if (!a.has_type) return Status::error("collective without comm_type");
      auto bytes = comm_bytes(a);
      if (!bytes) return bytes.status();
      out.bytes = *bytes;
      out.group = a.pg_name;
      switch (a.comm_type) {
        case pb::ALL_REDUCE:
          out.op = static_cast<uint8_t>(CollectiveOp::kAllReduce);
          break;
        case pb::ALL_GATHER:
          out.op = static_cast<uint8_t>(CollectiveOp::kAllGather);
          break;
        case pb::REDUCE_SCATTER:
          out.op = static_cast<uint8_t>(CollectiveOp::kReduceScatter);
          break;
        case pb::ALL_TO_ALL:
          out.op = static_cast<uint8_t>(CollectiveOp::kAllToAll);
          break;
        case pb::BARRIER:
          out.kind = ChakraKind::kBarrier;
          return Status::ok();
        case pb::REDUCE:
        case pb::GATHER:
        case pb::SCATTER:
        case pb::BROADCAST:
        case pb::REDUCE_SCATTER_BLOCK:
          return Status::error(
              "collective " +
              pb::CollectiveType_Name(static_cast<pb::CollectiveType>(a.comm_type)) +
              " cannot be mapped (aifabric has all-reduce, all-gather, "
              "reduce-scatter, all-to-all and barrier)");
        default:
          return Status::error("unknown comm_type " + std::to_string(a.comm_type));
      }
      // An empty collective still synchronises its ranks.
      out.kind = out.bytes == 0 ? ChakraKind::kBarrier : ChakraKind::kCollective;
      return Status::ok();
    }
    case pb::COMM_SEND_NODE:
    case pb::COMM_RECV_NODE: {
      const bool send = n.type() == pb::COMM_SEND_NODE;
      auto bytes = comm_bytes(a);
      if (!bytes) return bytes.status();
      if (*bytes == 0) return Status::error("a send or receive of 0 bytes");
      if (!(send ? a.has_dst : a.has_src)) {
        return Status::error(send ? "send without comm_dst" : "receive without comm_src");
      }
      auto peer =
          peer_of(send ? a.comm_dst : a.comm_src, send ? "comm_dst" : "comm_src", rank, ranks);
      if (!peer) return peer.status();
      out.kind = send ? ChakraKind::kSend : ChakraKind::kRecv;
      out.bytes = *bytes;
      out.peer = *peer;
      out.tag = a.comm_tag;
      return Status::ok();
    }
    case pb::MEM_LOAD_NODE:
    case pb::MEM_STORE_NODE:
      return Status::error(
          std::string(n.type() == pb::MEM_LOAD_NODE ? "MEM_LOAD_NODE" : "MEM_STORE_NODE") +
          " cannot be mapped (no memory model)");
    default:
      return Status::error("node type " + std::to_string(static_cast<int>(n.type())) +
                           " cannot be mapped");
  }
}

}  // namespace

Result<ChakraRankTrace> read_chakra_trace(std::string_view bytes, const std::string& source,
                                          uint32_t rank, uint32_t ranks) {
  ChakraRankTrace t;
  t.source = source;
  size_t pos = 0;
  bool metadata = false;
  std::unordered_set<uint64_t> ids;
  while (pos < bytes.size()) {
    const size_t at = pos;
    uint64_t len = 0;
    auto where = [&](const std::string& why) {
      return Status::error(source + ": byte " + std::to_string(at) + ": " + why);
    };
    if (!read_varint32(bytes, pos, len)) return where("a message length that is cut or malformed");
    if (len > kMaxChakraMessageBytes) {
      return where("a message of " + std::to_string(len) + " bytes (at most " +
                   std::to_string(kMaxChakraMessageBytes) + ")");
    }
    if (len > bytes.size() - pos) {
      return where("a message of " + std::to_string(len) + " bytes, but only " +
                   std::to_string(bytes.size() - pos) + " are left: the file is truncated");
    }
    const std::string_view msg = bytes.substr(pos, len);
    pos += len;
    if (!metadata) {
      pb::GlobalMetadata m;
      if (!m.ParseFromArray(msg.data(), static_cast<int>(msg.size()))) {
        return where("the first message is not a Chakra GlobalMetadata");
      }
      t.version = printable(m.version().substr(0, 80));
      metadata = true;
      continue;
    }
    if (t.nodes.size() == kMaxChakraNodes) {
      return where("more than " + std::to_string(kMaxChakraNodes) + " nodes in one file");
    }
    pb::Node n;
    if (!n.ParseFromArray(msg.data(), static_cast<int>(msg.size()))) {
      return where("not a Chakra Node message");
    }
    ChakraNode node;
    if (Status s = map_node(n, rank, ranks, node); !s) {
      return Status::error(source + ": node " + std::to_string(n.id()) + ": " + s.message());
    }
    if (!ids.insert(node.id).second) {
      return Status::error(source + ": node " + std::to_string(node.id) + ": the id appears twice");
    }
    t.nodes.push_back(std::move(node));
  }
  if (!metadata) return Status::error(source + ": the file is empty (no GlobalMetadata)");
  for (const ChakraNode& n : t.nodes) {
    for (uint64_t d : n.deps) {
      if (ids.count(d) == 0) {
        return Status::error(source + ": node " + std::to_string(n.id) + ": depends on node " +
                             std::to_string(d) + ", which is not in the file");
      }
      if (d == n.id) {
        return Status::error(source + ": node " + std::to_string(n.id) + ": depends on itself");
      }
    }
  }
  return t;
}

}  // namespace aifabric
