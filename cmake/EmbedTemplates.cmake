# SPDX-License-Identifier: MIT
# Writes OUTPUT, a C++ source defining one std::string_view constant per template file, so the templates
# ship inside the binary. Run as `cmake -DOUTPUT=... -DTEMPLATES="name=path|name=path" -P EmbedTemplates.cmake`.
set(content "// Generated from pkg/provider/templates by cmake/EmbedTemplates.cmake; do not edit.\n")
string(APPEND content "#include \"pkg/provider/templates.hpp\"\n\nnamespace dokploy_provider::provider::templates {\n")
string(REPLACE "|" ";" template_list "${TEMPLATES}")
foreach(entry IN LISTS template_list)
  string(REPLACE "=" ";" parts "${entry}")
  list(GET parts 0 name)
  list(GET parts 1 path)
  file(READ "${path}" text)
  if(text MATCHES "\\)tmpl\"")
    message(FATAL_ERROR "${path} contains the raw-string delimiter )tmpl\"")
  endif()
  string(APPEND content "\nconst std::string_view ${name} = R\"tmpl(${text})tmpl\";\n")
endforeach()
string(APPEND content "\n}  // namespace dokploy_provider::provider::templates\n")
file(WRITE "${OUTPUT}.tmp" "${content}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
