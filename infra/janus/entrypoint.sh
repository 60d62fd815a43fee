#!/bin/sh
# Starts Janus with the Ringbus configuration plus the host-specific settings from the environment:
#   JANUS_ADMIN_SECRET      secret of the admin API (required outside development)
#   JANUS_NAT_1_1           public IP(s) to advertise when the host sits behind a 1:1 NAT (e.g. EC2)
#   JANUS_STUN_SERVER       host:port of a STUN server, the other way to learn the public address
#   JANUS_ICE_ENFORCE_LIST  interfaces ICE may use (e.g. eth0), default: all but loopback
#   JANUS_RTP_PORT_RANGE    WebRTC media ports, default 20000-24999 (open them for UDP)
#   JANUS_SIP_SDP_IP        address put in SDP towards the carrier (default: the interface's own)
#   JANUS_WS_ACL            address prefixes allowed on the API ports, default "127.,10.,172.,192.168."
set -eu
conf=/tmp/janus-conf
rm -rf "$conf" && cp -r /etc/ringbus-janus "$conf"
sed -i "s|configs_folder = .*|configs_folder = \"$conf\"|" "$conf/janus.jcfg"
sed -i "s|admin_secret = .*|admin_secret = \"${JANUS_ADMIN_SECRET:-change-me}\"|" "$conf/janus.jcfg"
acl="${JANUS_WS_ACL:-127.,10.,172.,192.168.}"
sed -i "s|^\tws = true|\tws = true\n\tws_acl = \"$acl\"|; s|^\tadmin_ws = true|\tadmin_ws = true\n\tadmin_ws_acl = \"$acl\"|" \
  "$conf/janus.transport.websockets.jcfg"
if [ -n "${JANUS_SIP_SDP_IP:-}" ]; then
  sed -i "s|^\tevents = true|\tevents = true\n\tsdp_ip = \"$JANUS_SIP_SDP_IP\"|" "$conf/janus.plugin.sip.jcfg"
fi
set -- -F "$conf" -C "$conf/janus.jcfg" -o -r "${JANUS_RTP_PORT_RANGE:-20000-24999}"
[ -n "${JANUS_NAT_1_1:-}" ] && set -- "$@" "--nat-1-1=$JANUS_NAT_1_1"
[ -n "${JANUS_STUN_SERVER:-}" ] && set -- "$@" "--stun-server=$JANUS_STUN_SERVER"
[ -n "${JANUS_ICE_ENFORCE_LIST:-}" ] && set -- "$@" "--ice-enforce-list=$JANUS_ICE_ENFORCE_LIST"
# exec: Janus replaces the shell and receives the stop signal itself.
exec janus "$@"
