// Configuration from a YAML file with the same names as the command-line flags, so every
// daemon is configured the same two ways (`--secure-port 6443` or `secure-port: 6443`).
// Flags given on the command line win over the file.
#pragma once

#include <string>
#include <vector>

#include "ferry/api/result.h"

namespace ferry::runtime {

// Turns a YAML mapping into `--key=value` arguments (sequences repeat the flag; booleans
// become `--key=true|false`). Error on unreadable files or anything but a flat mapping.
api::Result<std::vector<std::string>> configFileArgs(const std::string& path);

// argv with the config file's arguments inserted before the command line's own, for a
// CLI11 app whose options take the last value given. Looks for `--config FILE` or
// `--config=FILE` in argv.
api::Result<std::vector<std::string>> argsWithConfigFile(int argc, char** argv);

}  // namespace ferry::runtime
