#include "aifabric/scenario/profiles/profiles.h"

#include <array>
#include <span>
#include <string_view>

#include "aifabric/scenario/yaml_reader.h"
#include "aifabric/transport/transport_config.h"

namespace aifabric {
namespace {

// A profile is its name and the settings it applies (table 3's columns, as aifabric
// models them, are in docs/congestion-control.md, "Transport profiles").
struct ProfileSetting {
  std::string_view key;    // scenario key path, as --set takes it
  std::string_view value;  // YAML value
};
struct TransportProfile {
  std::string_view name;
  std::span<const ProfileSetting> settings;
};

// TCP: flow ECMP, lossy (no PFC), a window cut by the ECN-marked fraction (DCTCP rather
// than CUBIC: data-centre TCP deployments for RDMA-like traffic mark with ECN), SACK.
constexpr std::array kTcp{
    ProfileSetting{"lb.algorithm", "ecmp"},
    ProfileSetting{"switch.pfc.enabled", "false"},
    ProfileSetting{"cc.algorithm", "dctcp"},
    ProfileSetting{"transport.recovery", "selective"},
};
// RoCEv2 as deployed: flow ECMP, PFC on the RDMA priority, DCQCN, go-back-N.
constexpr std::array kRoce{
    ProfileSetting{"lb.algorithm", "ecmp"},
    ProfileSetting{"switch.pfc.enabled", "true"},
    ProfileSetting{"cc.algorithm", "dcqcn"},
    ProfileSetting{"transport.recovery", "go_back_n"},
};
// Falcon (Google, 2023): multipath per packet, Swift's delay-based window, selective
// retransmission, no PFC.
constexpr std::array kFalcon{
    ProfileSetting{"lb.algorithm", "spray"},
    ProfileSetting{"switch.pfc.enabled", "false"},
    ProfileSetting{"cc.algorithm", "swift"},
    ProfileSetting{"transport.recovery", "selective"},
};
// UET (Ultra Ethernet 1.0): packet spraying, receiver-driven credits (EQDS) with
// trimming at the switches, selective retransmission, lossy (CBFC is UET's option and
// stays off: switch.cbfc.enabled turns it on).
constexpr std::array kUet{
    ProfileSetting{"lb.algorithm", "spray"},
    ProfileSetting{"switch.pfc.enabled", "false"},
    ProfileSetting{"switch.trimming.enabled", "true"},
    ProfileSetting{"cc.algorithm", "eqds"},
    ProfileSetting{"transport.recovery", "selective"},
};
// SRD (AWS): spraying over many paths, delay-based rate control, out-of-order delivery.
// Its BBR-like controller is not modelled: Swift stands in (docs/congestion-control.md).
constexpr std::array kSrd{
    ProfileSetting{"lb.algorithm", "spray"},
    ProfileSetting{"switch.pfc.enabled", "false"},
    ProfileSetting{"cc.algorithm", "swift"},
    ProfileSetting{"transport.recovery", "selective"},
};

constexpr std::array kProfiles{
    TransportProfile{"tcp", kTcp},       TransportProfile{"roce", kRoce},
    TransportProfile{"falcon", kFalcon}, TransportProfile{"uet", kUet},
    TransportProfile{"srd", kSrd},
};

// The key's values (transport_config.h) are "none" and these names, in this order.
constexpr bool names_match() {
  if (std::size(kTransportProfileNames) != kProfiles.size() + 1) return false;
  for (size_t i = 0; i < kProfiles.size(); ++i) {
    if (kProfiles[i].name != kTransportProfileNames[i + 1]) return false;
  }
  return true;
}
static_assert(names_match(), "transport.profile's names and the profiles disagree");

// Whether `root` holds `key` (a dotted path through maps).
bool holds(const YAML::Node& root, std::string_view key) {
  YAML::Node cur;
  cur.reset(root);
  size_t b = 0;
  for (;;) {
    if (!cur || !cur.IsMap()) return false;
    const size_t e = key.find('.', b);
    const std::string part(
        key.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
    const YAML::Node& map = cur;  // const: a lookup must not add the key
    const YAML::Node next = map[part];
    if (!next.IsDefined() || next.IsNull()) return false;
    if (e == std::string_view::npos) return true;
    cur.reset(next);
    b = e + 1;
  }
}

}  // namespace

std::vector<std::string> apply_transport_profile(YAML::Node& root) {
  std::vector<std::string> applied;
  if (!root || !root.IsMap()) return applied;
  const YAML::Node transport = root["transport"];
  if (!transport.IsDefined() || !transport.IsMap()) return applied;
  const YAML::Node name = transport["profile"];
  if (!name.IsDefined() || !name.IsScalar()) return applied;
  const TransportProfile* profile = nullptr;
  for (const TransportProfile& p : kProfiles) {
    if (p.name == name.Scalar()) profile = &p;
  }
  if (profile == nullptr) return applied;  // the reader names the bad value
  for (const ProfileSetting& s : profile->settings) {
    if (holds(root, s.key)) continue;
    std::string assignment = std::string(s.key) + "=" + std::string(s.value);
    // A key the file holds as something else (`lb: 3`) is left for the reader to name.
    if (Status st = apply_override(root, assignment); !st) continue;
    applied.push_back(std::move(assignment));
  }
  return applied;
}

}  // namespace aifabric
