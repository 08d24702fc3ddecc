// Reader for Chakra execution traces (mlcommons/chakra): one file per rank
// (`prefix.<rank>.et`), a GlobalMetadata message then Node messages, each preceded by
// its length as a varint. The wire format is declared in chakra_et.proto. A node is
// kept as what aifabric maps: compute (COMP_NODE, duration_micros), a collective
// (COMM_COLL_NODE: comm_type, comm_size, pg_name), a send or receive (COMM_SEND_NODE /
// COMM_RECV_NODE: comm_dst / comm_src, comm_size, comm_tag), or a node that only
// passes its dependencies on (METADATA_NODE, and CPU operators: is_cpu_op true).
// Everything else is refused by node id and construct: MEM_LOAD/MEM_STORE/INVALID
// nodes, REDUCE, GATHER, SCATTER, BROADCAST, REDUCE_SCATTER_BLOCK, a compute node
// that gives only num_ops (no duration), sizes or peers out of range. Errors read
// "source: node <id>: why" or, for the framing, "source: byte <offset>: why".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aifabric/core/status.h"
#include "aifabric/core/units.h"

namespace aifabric {

inline constexpr size_t kMaxChakraFileBytes = size_t{256} << 20;
inline constexpr size_t kMaxChakraMessageBytes = size_t{16} << 20;
inline constexpr uint32_t kMaxChakraRanks = 4096;
// Nodes in one file (PyTorch traces of a training step have some 10^5 per rank).
inline constexpr size_t kMaxChakraNodes = size_t{8} << 20;
// Limits of one node's values: 1000 s of compute, a 1 TiB buffer.
inline constexpr uint64_t kMaxChakraMicros = 1'000'000'000;
inline constexpr uint64_t kMaxChakraCommBytes = uint64_t{1} << 40;

enum class ChakraKind : uint8_t { kPass, kCompute, kCollective, kBarrier, kSend, kRecv };

struct ChakraNode {
  uint64_t id = 0;
  std::string name;
  ChakraKind kind = ChakraKind::kPass;
  std::vector<uint64_t> deps;  // data and control dependencies (node ids of this rank)
  Time duration;               // compute
  uint8_t op = 0;              // collective: a CollectiveOp
  int64_t bytes = 0;           // collective, send, receive
  std::string group;           // collective: pg_name ("" = every rank)
  uint32_t peer = 0;           // send: comm_dst; receive: comm_src
  int64_t tag = 0;             // send, receive
};

struct ChakraRankTrace {
  std::string source;
  std::string version;  // GlobalMetadata.version
  std::vector<ChakraNode> nodes;
};

// Reads one rank's file held in `bytes`; `ranks` bounds send and receive peers.
Result<ChakraRankTrace> read_chakra_trace(std::string_view bytes, const std::string& source,
                                          uint32_t rank, uint32_t ranks);

}  // namespace aifabric
