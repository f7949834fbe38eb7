// SPDX-License-Identifier: MIT
// A machine belongs to the DevPod that created it: its compose file authorizes the client key create generated
// in that DevPod's MACHINE_FOLDER. Two DevPods (two laptops, two contexts, two team members) using one
// MACHINE_ID in one Dokploy project see the same service name; only the owner may redeploy, start, stop or
// delete it, and for everyone else it does not exist.
#pragma once

#include <string>
#include <string_view>

namespace dokploy_provider::provider {

enum class Ownership {
    ours,       // the compose file authorizes our client key
    unclaimed,  // no compose file yet (a create stopped before compose.update): nothing to take over
    theirs,     // the compose file authorizes another key
};

// Whose machine a compose file is, given our client public key line ("ssh-ed25519 AAAA... comment"). The key
// is matched by its base64 body, which survives Dokploy's re-serialisation of the file.
[[nodiscard]] Ownership ownership_of(std::string_view compose_file, std::string_view our_public_key_line);

// The one-line refusal for a machine of another DevPod, with the ways out.
[[nodiscard]] std::string not_ours_message(std::string_view service_name, std::string_view project_name);

}  // namespace dokploy_provider::provider
