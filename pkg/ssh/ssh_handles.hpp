// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

// libssh's opaque handle types, declared here so that no header of ours needs <libssh/libssh.h>.
struct ssh_session_struct;
struct ssh_channel_struct;
struct ssh_key_struct;
struct ssh_event_struct;

namespace dokploy_provider::ssh {

// Stateless deleters for every libssh handle the provider owns; defined in ssh_handles.cpp (the only
// place besides pkg/ssh/*.cpp that touches libssh). Each accepts nullptr.
struct SessionDeleter {
    void operator()(ssh_session_struct* session) const noexcept;  // ssh_free
};
struct ChannelDeleter {
    void operator()(ssh_channel_struct* channel) const noexcept;  // ssh_channel_free
};
struct KeyDeleter {
    void operator()(ssh_key_struct* key) const noexcept;  // ssh_key_free
};
struct EventDeleter {
    void operator()(ssh_event_struct* event) const noexcept;  // ssh_event_free
};
struct CStringDeleter {
    void operator()(char* text) const noexcept;  // ssh_string_free_char (libssh-allocated C strings)
};
struct KeyHashDeleter {
    void operator()(unsigned char* hash) const noexcept;  // ssh_clean_pubkey_hash
};

using SessionPtr = std::unique_ptr<ssh_session_struct, SessionDeleter>;
// A channel must be destroyed before the session it belongs to.
using ChannelPtr = std::unique_ptr<ssh_channel_struct, ChannelDeleter>;
using KeyPtr = std::unique_ptr<ssh_key_struct, KeyDeleter>;
// An event must be destroyed (or have its session removed) before the session it polls.
using EventPtr = std::unique_ptr<ssh_event_struct, EventDeleter>;
using CStringPtr = std::unique_ptr<char, CStringDeleter>;
using KeyHashPtr = std::unique_ptr<unsigned char, KeyHashDeleter>;

}  // namespace dokploy_provider::ssh
