// SPDX-License-Identifier: MIT
#include "pkg/ssh/ssh_handles.hpp"

#include <libssh/libssh.h>

namespace dokploy_provider::ssh {

void SessionDeleter::operator()(ssh_session_struct* session) const noexcept {
    if (session != nullptr) {
        ssh_free(session);
    }
}

void ChannelDeleter::operator()(ssh_channel_struct* channel) const noexcept {
    if (channel != nullptr) {
        ssh_channel_free(channel);
    }
}

void KeyDeleter::operator()(ssh_key_struct* key) const noexcept { ssh_key_free(key); }

void EventDeleter::operator()(ssh_event_struct* event) const noexcept { ssh_event_free(event); }

void CStringDeleter::operator()(char* text) const noexcept { ssh_string_free_char(text); }

void KeyHashDeleter::operator()(unsigned char* hash) const noexcept { ssh_clean_pubkey_hash(&hash); }

}  // namespace dokploy_provider::ssh
