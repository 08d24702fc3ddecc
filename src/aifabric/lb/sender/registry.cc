// Every sender-side path-selection mode, one line each (`lb: {algorithm: spray, mode:}`).
#include "aifabric/lb/sender/adaptive/adaptive.h"
#include "aifabric/lb/sender/path_selection.h"
#include "aifabric/lb/sender/random/random.h"
#include "aifabric/lb/sender/round_robin/round_robin.h"

namespace aifabric {

const Registry<SenderMode>& sender_modes() {
  static const Registry<SenderMode> kAll(
      "path selection",
      {
          SenderMode{{"off", "one source port per flow"}},
          sender_member<RandomChooser>("random", "a fresh random source port per packet"),
          sender_member<RoundRobinChooser>("round_robin", "one port per distinct path, in turn",
                                           /*needs_paths=*/true),
          sender_member<AdaptiveChooser>(
              "adaptive", "reuse ports whose ACK carried no ECN echo (REPS), else random"),
      });
  return kAll;
}

std::unique_ptr<PathChooser> make_path_chooser(const PathSelection& ps, const FlowSpec& flow) {
  const SenderMode* m = sender_modes().find(ps.mode);
  if (m == nullptr || m->make == nullptr) return nullptr;
  return m->make(ps, flow);
}

}  // namespace aifabric
