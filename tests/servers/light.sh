#!/bin/sh
# The lightest valid stdio MCP server (one shell, builtins only), for runs with hundreds of
# servers. mcpctl's requests are compact JSON with sorted keys: {"id":N,"jsonrpc":…,"method":…}.
while IFS= read -r line; do
  case $line in
    *'"id":'*) ;;
    *) continue ;;
  esac
  id=${line#*\"id\":}
  id=${id%%,*}
  case $line in
    *'"method":"initialize"'*)
      printf '{"jsonrpc":"2.0","id":%s,"result":{"protocolVersion":"2025-11-25","capabilities":{},"serverInfo":{"name":"light","version":"1"}}}\n' "$id" ;;
    *)
      printf '{"jsonrpc":"2.0","id":%s,"result":{}}\n' "$id" ;;
  esac
done
