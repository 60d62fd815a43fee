export interface KamailioConfigInput {
  readonly sipPort: number;
  readonly modulesDir: string;
  /** Kamailio's debug level: 2 logs the routing lines below, 3 adds SIP parsing details. */
  readonly debugLevel: number;
}

/**
 * A registrar + stateful proxy for one loopback address, no database, no authentication: REGISTER is saved
 * in memory (usrloc db_mode 0), an initial INVITE to a registered user is relayed to the contact, in-dialog
 * requests follow the Record-Route. Every routing decision is logged (`RINGBUS ...`) so tests can tell
 * where a request went.
 */
export function renderKamailioConfig(input: KamailioConfigInput): string {
  const address = `127.0.0.1:${input.sipPort}`;
  return `#!KAMAILIO
debug=${input.debugLevel}
log_stderror=yes
log_prefix="RINGBUS "
children=1
listen=udp:${address}
alias="${address}"
auto_aliases=no
disable_tcp=yes
enable_sctp=no
dns=no
rev_dns=no
use_dns_cache=off
dns_try_ipv6=no

mpath="${input.modulesDir}"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "textops.so"

modparam("usrloc", "db_mode", 0)
modparam("rr", "append_fromtag", 1)
modparam("registrar", "max_expires", 3600)

request_route {
  if (!mf_process_maxfwd_header("10")) {
    sl_send_reply("483", "Too Many Hops");
    exit;
  }
  xlog("L_NOTICE", "request $rm $ru call-id=$ci from $si:$sp\\n");
  if (has_totag()) {
    if (loose_route()) {
      route(RELAY);
      exit;
    }
    if (is_method("ACK")) {
      if (t_check_trans()) route(RELAY);
      exit;
    }
    sl_send_reply("404", "Not here");
    exit;
  }
  if (is_method("CANCEL")) {
    if (t_check_trans()) route(RELAY);
    exit;
  }
  if (is_method("OPTIONS") && uri == myself && $rU == $null) {
    sl_send_reply("200", "Alive");
    exit;
  }
  if (is_method("REGISTER")) {
    if (!save("location")) sl_reply_error();
    xlog("L_NOTICE", "registered $tu contact=$ct\\n");
    exit;
  }
  if (is_method("INVITE")) record_route();
  if (!lookup("location")) {
    xlog("L_NOTICE", "no contact for $ru\\n");
    sl_send_reply("404", "Not Found");
    exit;
  }
  route(RELAY);
}

route[RELAY] {
  xlog("L_NOTICE", "relay $rm to $du$ru\\n");
  if (!t_relay()) sl_reply_error();
}
`;
}
