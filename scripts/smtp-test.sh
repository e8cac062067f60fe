#!/usr/bin/env bash
# Throwaway Postfix instance: 127.0.0.1:<random port>, every recipient (any domain)
# delivered as a copy to $D/mail/Maildir/new/ (header Delivered-To: <rcpt>). Needs root + Debian package postfix
# (installed with debconf "No configuration", so no system instance is set up).
# Usage: eval "$(postfix-throwaway.sh start)"  ->  exports SMTP_PORT, SMTP_DIR
#        postfix-throwaway.sh stop "$SMTP_DIR"
set -euo pipefail
if [ "${1:-start}" = stop ]; then
  postfix -c "$2/etc" stop >/dev/null 2>&1 || true; rm -rf "$2"; exit 0; fi
D=$(mktemp -d -t smtp-test.XXXXXX); chmod 755 "$D"
PORT=${SMTP_PORT:-$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')}
mkdir -p "$D/etc" "$D/spool" "$D/data" "$D/mail"
chown postfix:postfix "$D/data"; chown 65534:65534 "$D/mail"
# throwaway CA + leaf for STARTTLS (client trusts $D/tls/ca.pem)
mkdir -p "$D/tls"; (cd "$D/tls"
 openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -subj /CN=test-ca -days 2
 openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out leaf.csr -subj /CN=localhost
 printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > ext
 openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out cert.pem -days 2 -extfile ext) >/dev/null 2>&1
cat > "$D/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $D/spool
data_directory = $D/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $D/maillog
maillog_file_prefixes = $D
myhostname = smtp.test
mydomain = test
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination =
relay_domains =
alias_maps =
alias_database =
local_recipient_maps =
smtputf8_enable = yes
message_size_limit = 52428800
virtual_mailbox_limit = 0
# accept every domain; every recipient gets a copy in $D/mail/Maildir/new (header Delivered-To: <rcpt>)
virtual_mailbox_domains = static:all
virtual_mailbox_base = $D/mail
virtual_mailbox_maps = static:Maildir/
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
virtual_minimum_uid = 100
smtpd_tls_cert_file = $D/tls/cert.pem
smtpd_tls_key_file = $D/tls/key.pem
smtpd_tls_security_level = may
CF
# master.cf: Debian's default, minus chroot, with the listener moved to 127.0.0.1:PORT
sed -e "s/^smtp      inet .*/127.0.0.1:$PORT inet n - n - - smtpd/" /etc/postfix/master.cf > "$D/etc/master.cf"
postconf -c "$D/etc" -F '*/*/chroot = n'
postfix -c "$D/etc" check || { cat "$D/maillog" >&2; exit 1; }
postfix -c "$D/etc" start >/dev/null 2>&1 || { cat "$D/maillog" >&2; exit 1; }
for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
echo "export SMTP_PORT=$PORT SMTP_DIR=$D"
