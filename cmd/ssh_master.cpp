// SPDX-License-Identifier: MIT
// `__ssh-master`: not for users (hidden from help). `command` starts it to keep a machine's SSH connection
// for the next commands (README, "Connection reuse").
#include <memory>

#include "cmd/app.hpp"
#include "pkg/provider/shared_ssh.hpp"

namespace dokploy_provider::cmd {

void register_ssh_master(CLI::App& app, AppContext& context) {
    auto arguments = std::make_shared<provider::MasterArguments>();
    auto connect_ms = std::make_shared<long long>(10'000);
    auto idle_ms = std::make_shared<long long>(600'000);
    auto* sub = app.add_subcommand("__ssh-master", "The shared SSH connection of one machine (started by command)");
    sub->group("");  // hidden
    sub->add_option("--socket", arguments->socket)->required();
    sub->add_option("--host", arguments->endpoint.host)->required();
    sub->add_option("--port", arguments->endpoint.port)->required();
    sub->add_option("--user", arguments->endpoint.user)->required();
    sub->add_option("--client-key", arguments->credentials.client_key)->required();
    sub->add_option("--host-public-key", arguments->credentials.pinned_host_public_key)->required();
    sub->add_option("--connect-timeout-ms", *connect_ms);
    sub->add_option("--idle-exit-ms", *idle_ms);
    sub->add_option("--ready-fd", arguments->ready_fd);
    sub->callback([&context, arguments, connect_ms, idle_ms] {
        arguments->connect_timeout = core::Millis{*connect_ms};
        arguments->idle_exit = core::Millis{*idle_ms};
        context.ssh_failures_exit_255 = true;
        context.exit_code = provider::run_ssh_master(*arguments);
    });
}

}  // namespace dokploy_provider::cmd
