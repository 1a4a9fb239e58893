/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * m2msec: the whole userspace ABI of the m2msec kernel module.
 *
 * m2msec offloads the DTLS record layer (DTLS 1.2 and 1.3) and oneM2M
 * ESPrim object protection into the kernel.  Everything userspace may rely
 * on is defined in this file and documented in Documentation/abi.md:
 *
 *  - the socket family (number chosen at load time) and its protocols;
 *  - the payload format of the "m2msec" key type (keyring);
 *  - the generic netlink family "m2msec": commands and attributes.
 *
 * Multi-byte fields in structures are in host byte order; netlink
 * attributes follow the usual netlink conventions (host byte order).
 */
#ifndef _UAPI_LINUX_M2MSEC_H
#define _UAPI_LINUX_M2MSEC_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* ------------------------------------------------------------------ */
/* Socket family                                                       */
/* ------------------------------------------------------------------ */

/*
 * Mainline reserves no address family for out-of-tree code, so the module
 * picks a free slot when it loads (or takes the one forced with the
 * "family=" module parameter).  The number in use is published in
 * M2MSEC_FAMILY_SYSFS and in the M2MSEC_A_INFO_FAMILY attribute of
 * M2MSEC_CMD_GET_INFO.  Applications should use the library helper
 * m2msec_family() rather than a constant.
 */
#define M2MSEC_FAMILY_SYSFS	"/sys/module/m2msec/parameters/family"

/**
 * enum m2msec_proto - protocols of the m2msec socket family
 * @M2MSEC_PROTO_DTLS: DTLS record layer, SOCK_DGRAM only.  Protocol 0 with
 *	SOCK_DGRAM selects it too.
 * @M2MSEC_PROTO_ESPRIM: oneM2M ESPrim transform, SOCK_SEQPACKET only.
 *	Protocol 0 with SOCK_SEQPACKET selects it too.
 *
 * socket(2) fails with ESOCKTNOSUPPORT for any other socket type and with
 * EPROTONOSUPPORT for a protocol that is unknown or does not match the type.
 */
enum m2msec_proto {
	M2MSEC_PROTO_DTLS = 1,
	M2MSEC_PROTO_ESPRIM = 2,
};

/* ------------------------------------------------------------------ */
/* Protocol versions and record ciphers                                */
/* ------------------------------------------------------------------ */

/* DTLS versions as they appear on the wire (RFC 6347, RFC 9147). */
#define M2MSEC_DTLS_1_2		0xfefd
#define M2MSEC_DTLS_1_3		0xfefc

/**
 * enum m2msec_cipher - record protection algorithms (AEADs)
 * @M2MSEC_CIPHER_AES_128_GCM: AES-128-GCM, 16-byte tag.
 * @M2MSEC_CIPHER_AES_256_GCM: AES-256-GCM, 16-byte tag.
 * @M2MSEC_CIPHER_CHACHA20_POLY1305: ChaCha20-Poly1305 (RFC 7905/8439).
 * @M2MSEC_CIPHER_AES_128_CCM: AES-128-CCM, 16-byte tag (RFC 6655).
 * @M2MSEC_CIPHER_AES_128_CCM_8: AES-128-CCM, 8-byte tag (RFC 6655); the
 *	oneM2M mandatory suites use it.
 *
 * A cipher is independent of the key exchange: TLS_PSK_WITH_AES_128_CCM_8
 * and TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 both use
 * M2MSEC_CIPHER_AES_128_CCM_8 for records.
 */
enum m2msec_cipher {
	M2MSEC_CIPHER_UNSPEC,
	M2MSEC_CIPHER_AES_128_GCM,
	M2MSEC_CIPHER_AES_256_GCM,
	M2MSEC_CIPHER_CHACHA20_POLY1305,
	M2MSEC_CIPHER_AES_128_CCM,
	M2MSEC_CIPHER_AES_128_CCM_8,
	__M2MSEC_CIPHER_MAX,
};
#define M2MSEC_CIPHER_MAX (__M2MSEC_CIPHER_MAX - 1)

/* ------------------------------------------------------------------ */
/* Key type "m2msec"                                                   */
/* ------------------------------------------------------------------ */

/*
 * Key material enters the kernel only through add_key(2) with the key type
 * M2MSEC_KEY_TYPE.  The payload is a struct m2msec_key_payload followed by
 * key_len + iv_len + sn_key_len + id_len bytes, in that order, and nothing
 * else.  Payloads that do not follow the rules below are rejected by
 * add_key() with EINVAL.  Keys of this type cannot be read back
 * (keyctl_read() fails with EOPNOTSUPP) and are zeroed when destroyed.
 */
#define M2MSEC_KEY_TYPE			"m2msec"
#define M2MSEC_KEY_PAYLOAD_V1		1
#define M2MSEC_KEY_MAX_ID_LEN		256

/**
 * enum m2msec_key_kind - what a key of type "m2msec" holds
 * @M2MSEC_KEY_RECORD: record protection keys for one direction of one
 *	epoch.  key_len: 16 or 32 (the AEAD key); iv_len: 4 (DTLS 1.2
 *	GCM/CCM salt) or 12 (DTLS 1.2 ChaCha20-Poly1305, all of DTLS 1.3);
 *	sn_key_len: 0 (DTLS 1.2) or 16/32 (DTLS 1.3 record number key);
 *	id_len: 0.
 * @M2MSEC_KEY_TRAFFIC_SECRET: a DTLS 1.3 traffic secret from which the
 *	kernel expands key, IV and record number key.  key_len: 32
 *	(SHA-256 suites) or 48 (SHA-384); other lengths 0.
 * @M2MSEC_KEY_ESPRIM_PAIRWISE: an ESPrim pairwiseESPrimKey.  key_len:
 *	16..64; iv_len and sn_key_len: 0; id_len: 1..M2MSEC_KEY_MAX_ID_LEN,
 *	the oneM2M identity (AE-ID/CSE-ID) bound to the key.
 */
enum m2msec_key_kind {
	M2MSEC_KEY_RECORD = 1,
	M2MSEC_KEY_TRAFFIC_SECRET = 2,
	M2MSEC_KEY_ESPRIM_PAIRWISE = 3,
};

/**
 * struct m2msec_key_payload - header of an "m2msec" key payload
 * @version: M2MSEC_KEY_PAYLOAD_V1.
 * @kind: an enum m2msec_key_kind value.
 * @reserved: must be zero.
 * @key_len: bytes of key material.
 * @iv_len: bytes of IV (salt) material.
 * @sn_key_len: bytes of record number protection key (DTLS 1.3).
 * @id_len: bytes of identity bound to the key.
 * @data: the key, IV, record number key and identity, back to back.
 */
struct m2msec_key_payload {
	__u8	version;
	__u8	kind;
	__u16	reserved;
	__u16	key_len;
	__u16	iv_len;
	__u16	sn_key_len;
	__u16	id_len;
	__u8	data[];
};

/* ------------------------------------------------------------------ */
/* Generic netlink family "m2msec"                                     */
/* ------------------------------------------------------------------ */

#define M2MSEC_GENL_NAME	"m2msec"
#define M2MSEC_GENL_VERSION	1

/**
 * enum m2msec_cmd - generic netlink commands
 * @M2MSEC_CMD_GET_INFO: module description (any user).  Reply attributes:
 *	M2MSEC_A_INFO_VERSION, M2MSEC_A_INFO_FAMILY,
 *	M2MSEC_A_INFO_DTLS_VERSIONS, M2MSEC_A_INFO_CIPHERS.
 * @M2MSEC_CMD_GET_CONFIG: the settings of the caller's network namespace
 *	(any user).  Reply: the M2MSEC_A_CFG_* attributes.
 * @M2MSEC_CMD_SET_CONFIG: change settings of the caller's network
 *	namespace.  Needs CAP_NET_ADMIN in the user namespace owning that
 *	network namespace (EPERM otherwise).  Out-of-range values: ERANGE
 *	with an extended ack message; nothing is changed unless every
 *	attribute is valid.
 * @M2MSEC_CMD_ASSOC_NEW: install a DTLS association on the socket given by
 *	M2MSEC_A_SOCK_FD (a descriptor of the caller).  Attributes: the
 *	M2MSEC_A_ASSOC_* ones; required: VERSION, CIPHER, PEER, TX, RX.
 *	The same command serves a handshake daemon after a handshake and
 *	static keying.  Reply: M2MSEC_A_ASSOC_ID.
 * @M2MSEC_CMD_ASSOC_SET: key update on an existing association (SOCK_FD,
 *	ASSOC_ID): a new TX and/or RX direction (M2MSEC_A_ASSOC_TX/RX) with a
 *	higher epoch.  The previous RX epoch keeps decrypting for
 *	M2MSEC_A_ASSOC_RX_GRACE_MS, the previous TX epoch stays usable for
 *	M2MSEC_A_ASSOC_TX_GRACE_MS (responses in the epoch of their request).
 * @M2MSEC_CMD_ASSOC_DEL: delete an association (SOCK_FD, ASSOC_ID); a
 *	close_notify alert is sent to the peer first.
 * @M2MSEC_CMD_ASSOC_GET: dump associations: of the socket given by
 *	M2MSEC_A_SOCK_FD, or, with CAP_NET_ADMIN, of every m2msec socket in
 *	the caller's network namespace.  Key material is never dumped.
 * @M2MSEC_CMD_GET_STATS: global counters of the caller's network
 *	namespace (M2MSEC_A_STATS nest).
 * @M2MSEC_CMD_ESPRIM_GET_STATS: ESPrim counters of the caller's network
 *	namespace (any user).  Reply: M2MSEC_A_ESPRIM_STATS nest.
 * @M2MSEC_CMD_ESPRIM_SESSION_GET: dump the ESPrim sessions of every ESPrim
 *	socket in the caller's network namespace, one M2MSEC_A_ESPRIM_SESSION
 *	nest per message (needs CAP_NET_ADMIN).  Key material is never dumped.
 * @M2MSEC_CMD_LIMIT_EVENT: notification on the M2MSEC_MCGRP_EVENTS group
 *	(never a request): an epoch of an association approaches or reached
 *	an AEAD usage limit (RFC 9147 4.5.3).  Sent once when the count
 *	reaches 7/8 of the limit (time to update keys) and once when it
 *	reaches the limit (the epoch refuses further use).  Attributes:
 *	M2MSEC_A_ASSOC_ID, M2MSEC_A_ASSOC_PEER, M2MSEC_A_ASSOC_LOCAL,
 *	M2MSEC_A_EVENT_LIMIT, M2MSEC_A_EVENT_EPOCH, M2MSEC_A_EVENT_COUNT,
 *	M2MSEC_A_EVENT_MAX.
 * @M2MSEC_CMD_HS_REQUEST: notification on the M2MSEC_MCGRP_HANDSHAKE group
 *	(never a request): a handshake is wanted.  Attributes: M2MSEC_A_HS_ID,
 *	M2MSEC_A_HS_ROLE, M2MSEC_A_ASSOC_PEER, M2MSEC_A_ASSOC_LOCAL, and for
 *	clients M2MSEC_A_HS_SERVER_NAME when set on the socket.
 * @M2MSEC_CMD_HS_ACCEPT: take a pending handshake (needs CAP_NET_ADMIN in
 *	the namespace).  Request: M2MSEC_A_HS_ID.  Reply: M2MSEC_A_HS_FD (a new
 *	descriptor in the caller: read() returns one datagram's worth of
 *	records the peer sent that belong to the handshake, write() sends one
 *	datagram to the peer from the socket's address, poll() works; closing
 *	it without HS_DONE fails the handshake), M2MSEC_A_HS_ROLE,
 *	M2MSEC_A_ASSOC_PEER, M2MSEC_A_ASSOC_LOCAL, M2MSEC_A_HS_SERVER_NAME.
 *	A request can be accepted once; ENOENT when it is unknown or gone,
 *	EBUSY when it was accepted already.  Closing the descriptor before
 *	HS_DONE fails the handshake with ECONNABORTED.  After HS_DONE, read()
 *	returns 0 (datagrams not read by then went back to the socket's
 *	normal receive path) and write() keeps working while the socket is
 *	open, for retransmitting a final flight or sending an alert.
 * @M2MSEC_CMD_HS_DONE: finish an accepted handshake (needs CAP_NET_ADMIN).
 *	Request: M2MSEC_A_HS_ID, M2MSEC_A_HS_STATUS (0 or a negative errno),
 *	and on success the association attributes of M2MSEC_CMD_ASSOC_NEW
 *	except SOCK_FD and PEER (the request names them), with key serials
 *	looked up in the caller's context, plus M2MSEC_A_HS_PEER_ID.  The
 *	association is installed on the requesting socket; a blocked
 *	connect() returns.  Reply on success: M2MSEC_A_ASSOC_ID.  Datagrams
 *	of the peer still queued on the request (not read by the daemon) go
 *	through the socket's normal receive path after the installation.
 *	Exactly one completion per accepted request.
 *	Errors: ENOENT (unknown or finished request; the timeout may have
 *	won), EINVAL (not accepted yet, or invalid association attributes:
 *	the handshake then fails with that error), ECONNRESET (the socket was
 *	closed).
 *	With the flag M2MSEC_A_HS_CTRL the reply also carries
 *	M2MSEC_A_ASSOC_CTRL_FD: the association's control channel (see
 *	"Association control channel" below).
 * @M2MSEC_CMD_ASSOC_EVENT: notification on the M2MSEC_MCGRP_EVENTS group
 *	(never a request): the life of associations and handshakes, for
 *	monitoring.  M2MSEC_A_EVENT_KIND (enum m2msec_event) says what
 *	happened; the other attributes depend on it:
 *	UP: M2MSEC_A_ASSOC_ID, PEER, LOCAL, VERSION, CIPHER, and
 *	M2MSEC_A_HS_PEER_ID when a handshake authenticated the peer;
 *	KEY_UPDATE: ASSOC_ID, PEER, LOCAL, M2MSEC_A_EVENT_DIR, and
 *	M2MSEC_A_EVENT_EPOCH, the direction's new epoch;
 *	DOWN: ASSOC_ID, PEER, LOCAL (while the socket is bound),
 *	M2MSEC_A_EVENT_REASON;
 *	HS_FAILED: M2MSEC_A_HS_ID, M2MSEC_A_HS_ROLE, PEER, LOCAL,
 *	M2MSEC_A_HS_STATUS;
 *	PEER_MOVED: ASSOC_ID, PEER (the new address), LOCAL,
 *	M2MSEC_A_EVENT_OLD_PEER.
 *	Best effort: sent only while someone listens, lost under memory
 *	pressure.
 * @M2MSEC_CMD_HS_CLAIM: create the server handshake request of one peer
 *	of a listening socket, after the daemon checked the peer's cookie on
 *	the socket's listener channel (needs CAP_NET_ADMIN).  Request:
 *	M2MSEC_A_HS_FD (the caller's descriptor of the accepted listener
 *	channel), M2MSEC_A_ASSOC_PEER (a peer whose first flight was read from
 *	it lately, in the socket's family), optionally M2MSEC_A_ASSOC_LOCAL.
 *	The new request is accepted at once (no HS_REQUEST is sent for it).
 *	Reply: as M2MSEC_CMD_HS_ACCEPT, with the new request's M2MSEC_A_HS_ID
 *	and channel M2MSEC_A_HS_FD.  Errors: EBADF (no such descriptor),
 *	EINVAL (not an accepted listener's channel), ENOENT (no first flight
 *	of that peer was read from the listener lately, or it was claimed
 *	already), EAFNOSUPPORT (peer of another family), EEXIST (the peer has
 *	an association or a request), EAGAIN (a maximum of unfinished
 *	requests), ECONNRESET (the socket is closing).
 * @M2MSEC_CMD_ASSOC_REKEY: ask the handshake daemon to update the keys of
 *	an association (needs CAP_NET_ADMIN).  The association is named by
 *	SOCK_FD and ASSOC_ID, or by ASSOC_ID alone (plus ASSOC_SOCK_INO when
 *	several sockets of the namespace have that id).  The request is
 *	queued on the association's control channel as the event
 *	M2MSEC_CTRL_EV_REKEY.  Errors: ENOENT (no such association),
 *	ENOTUNIQ (the id is used by several sockets: name the socket),
 *	EOPNOTSUPP (DTLS 1.2 has no key update), ENOTCONN (no daemon holds
 *	the association's control channel: static keying, or the channel was
 *	closed), ENOBUFS (channel queue full).
 * @M2MSEC_CMD_HS_GET: dump the handshake requests of the caller's network
 *	namespace that no daemon has taken yet, listeners included (needs
 *	CAP_NET_ADMIN).  One message per request with the attributes of its
 *	M2MSEC_CMD_HS_REQUEST notification.  A daemon dumps them once it has
 *	joined the M2MSEC_MCGRP_HANDSHAKE group and takes each with
 *	M2MSEC_CMD_HS_ACCEPT, so that a connect() or listen() that started
 *	while no daemon listened completes instead of timing out.
 */
enum m2msec_cmd {
	M2MSEC_CMD_UNSPEC,
	M2MSEC_CMD_GET_INFO,
	M2MSEC_CMD_GET_CONFIG,
	M2MSEC_CMD_SET_CONFIG,
	M2MSEC_CMD_ASSOC_NEW,
	M2MSEC_CMD_ASSOC_SET,
	M2MSEC_CMD_ASSOC_DEL,
	M2MSEC_CMD_ASSOC_GET,
	M2MSEC_CMD_GET_STATS,
	M2MSEC_CMD_ESPRIM_GET_STATS,
	M2MSEC_CMD_ESPRIM_SESSION_GET,
	M2MSEC_CMD_LIMIT_EVENT,
	M2MSEC_CMD_HS_REQUEST,
	M2MSEC_CMD_HS_ACCEPT,
	M2MSEC_CMD_HS_DONE,
	M2MSEC_CMD_ASSOC_EVENT,
	M2MSEC_CMD_HS_CLAIM,
	M2MSEC_CMD_ASSOC_REKEY,
	M2MSEC_CMD_HS_GET,
	__M2MSEC_CMD_MAX,
};
#define M2MSEC_CMD_MAX (__M2MSEC_CMD_MAX - 1)

/**
 * enum m2msec_attr - top-level attributes
 * @M2MSEC_A_INFO_VERSION: string, module version.
 * @M2MSEC_A_INFO_FAMILY: u32, socket family number in use.
 * @M2MSEC_A_INFO_DTLS_VERSIONS: nested, one M2MSEC_A_INFO_DTLS_VERSION (u16,
 *	wire value) per supported DTLS version.
 * @M2MSEC_A_INFO_CIPHERS: nested, one M2MSEC_A_INFO_CIPHER per cipher.
 * @M2MSEC_A_CFG_REPLAY_WINDOW: u32, default anti-replay window in records
 *	for new associations (range 64..65536, multiple of 64).
 * @M2MSEC_A_CFG_CTRL_QUEUE_MAX: u32, records queued per socket for the
 *	handshake daemon before further ones are dropped (range 1..4096).
 * @M2MSEC_A_CFG_ESPRIM_MAX_OBJECT: u32, largest ESPrim object accepted, in
 *	bytes (range 256..1048576).
 * @M2MSEC_A_SOCK_FD: u32, a file descriptor of the caller naming an m2msec
 *	DTLS socket.
 * @M2MSEC_A_ASSOC_ID: u32, association id, unique per socket, never 0.
 * @M2MSEC_A_ASSOC_VERSION: u16, M2MSEC_DTLS_1_2 or M2MSEC_DTLS_1_3.
 * @M2MSEC_A_ASSOC_CIPHER: u32, enum m2msec_cipher.
 * @M2MSEC_A_ASSOC_PEER: binary struct sockaddr_in or sockaddr_in6, the
 *	peer's UDP address.
 * @M2MSEC_A_ASSOC_TX: nested M2MSEC_A_DIR_*, the sending direction.
 * @M2MSEC_A_ASSOC_RX: nested M2MSEC_A_DIR_*, the receiving direction.
 * @M2MSEC_A_ASSOC_TX_CID: binary, the Connection ID put in sent records
 *	(the peer's CID), 1..M2MSEC_CID_MAX bytes; absent: no CID.
 * @M2MSEC_A_ASSOC_RX_CID: binary, the Connection ID received records carry
 *	(ours); associations are found by it when present.
 * @M2MSEC_A_ASSOC_REPLAY_WINDOW: u32, anti-replay window in records
 *	(default: the namespace setting).
 * @M2MSEC_A_ASSOC_RX_GRACE_MS: u32, how long a replaced RX epoch keeps
 *	decrypting (default 2000, max 60000).
 * @M2MSEC_A_ASSOC_TX_GRACE_MS: u32, how long a replaced TX epoch may still
 *	be chosen with M2MSEC_CMSG_EPOCH (default 2000, max 60000).
 * @M2MSEC_A_ASSOC_STATS: nested M2MSEC_A_STAT_*, in dumps.
 * @M2MSEC_A_ASSOC_DRIVER: string, crypto driver in use, in dumps.
 * @M2MSEC_A_ASSOC_LOCAL: binary sockaddr, the socket's address, in dumps.
 * @M2MSEC_A_STATS: nested M2MSEC_A_STAT_*, global counters.
 * @M2MSEC_A_ASSOC_AGE_MS: u64, time since the association was installed.
 * @M2MSEC_A_ESPRIM_STATS: nested M2MSEC_A_ESPRIM_STAT_*, ESPrim counters.
 * @M2MSEC_A_ESPRIM_SESSION: nested M2MSEC_A_ESPRIM_SESS_*, one session.
 * @M2MSEC_A_EVENT_LIMIT: u32, enum m2msec_limit.
 * @M2MSEC_A_EVENT_EPOCH: u64, the epoch concerned.
 * @M2MSEC_A_EVENT_COUNT: u64, records protected (confidentiality) or
 *	failed decryptions (integrity) in that epoch so far.
 * @M2MSEC_A_EVENT_MAX: u64, the limit.
 * @M2MSEC_A_HS_ID: u32, handshake request id, unique in the namespace.
 * @M2MSEC_A_HS_ROLE: u8, enum m2msec_hs_role.
 * @M2MSEC_A_HS_FD: u32, the handshake channel descriptor (HS_ACCEPT reply).
 * @M2MSEC_A_HS_STATUS: s32, 0 or the negative errno the handshake failed
 *	with (EACCES: credentials refused, EKEYREJECTED: peer's certificate or
 *	PSK rejected, ETIMEDOUT, EPROTO, ...); connect() returns it.
 * @M2MSEC_A_HS_PEER_ID: string (at most 1024 bytes): the authenticated peer
 *	identity, "psk:<identity>" or "x509:<subject>[;san=<SAN>...]"; readable
 *	per association (M2MSEC_CMD_ASSOC_GET dumps it).
 * @M2MSEC_A_HS_SERVER_NAME: string, SNI a client sends (socket option).
 * @M2MSEC_A_CFG_HS_SOCK_MAX: u32, unfinished handshake requests per socket
 *	(range 1..4096, default 64); first flights beyond it are dropped and
 *	counted (M2MSEC_A_STAT_HS_DROPPED), connect() fails with EAGAIN.
 * @M2MSEC_A_CFG_HS_NET_MAX: u32, unfinished handshake requests in the
 *	namespace (range 1..65536, default 1024), same behaviour.
 * @M2MSEC_A_CFG_HS_TIMEOUT_MS: u32, time a request has to be accepted and
 *	finished (range 100..600000, default 10000); then it fails with
 *	ETIMEDOUT.
 * @M2MSEC_A_CFG_HS_RATE: u32, new server-side requests per second and
 *	source (IPv4 address or IPv6 /64), token bucket refill rate (range
 *	1..1000000, default 10).
 * @M2MSEC_A_CFG_HS_BURST: u32, token bucket depth (range 1..1000000,
 *	default 20).
 * @M2MSEC_A_CFG_HS_QUEUE_MAX: u32, datagrams queued on one request for the
 *	daemon (range 1..1024, default 32); the socket's receive buffer bounds
 *	their memory as well.
 * @M2MSEC_A_EVENT_KIND: u32, enum m2msec_event (M2MSEC_CMD_ASSOC_EVENT).
 * @M2MSEC_A_EVENT_DIR: u8, enum m2msec_event_dir, the direction whose
 *	keys changed (KEY_UPDATE).
 * @M2MSEC_A_EVENT_REASON: u32, enum m2msec_event_reason (DOWN).
 * @M2MSEC_A_ASSOC_SUITE: u16, the negotiated cipher suite (IANA number),
 *	optional in M2MSEC_CMD_ASSOC_NEW and M2MSEC_CMD_HS_DONE; it must be a
 *	suite of M2MSEC_A_ASSOC_VERSION that uses M2MSEC_A_ASSOC_CIPHER
 *	(EINVAL otherwise).  Dumped when set.
 * @M2MSEC_A_CFG_HS_HELLO_MAX: u32, first flights queued on a listening
 *	socket's hello queue (range 1..4096, default 64); more are dropped
 *	and counted (M2MSEC_A_STAT_HS_HELLO_DROPPED).
 * @M2MSEC_A_CFG_HS_HELLO_BYTES: u32, memory (skb truesize) of one hello
 *	queue (range 4096..4194304, default 131072), also charged to the
 *	socket's receive buffer.
 * @M2MSEC_A_HS_CTRL: flag, in M2MSEC_CMD_HS_DONE with status 0: give the
 *	daemon a control channel for the new association.
 * @M2MSEC_A_ASSOC_CTRL_FD: u32.  Reply of HS_DONE: the control channel
 *	descriptor (close-on-exec).  In ASSOC_SET and ASSOC_DEL: names the
 *	association by a control channel descriptor of the caller, in place of
 *	SOCK_FD and ASSOC_ID.
 * @M2MSEC_A_ASSOC_SOCK_INO: u64, inode number of the association's socket
 *	(as in /proc/PID/fd links "socket:[N]"): in dumps; in ASSOC_DEL and
 *	ASSOC_REKEY without SOCK_FD it picks the socket when an id is used
 *	by several.
 * @M2MSEC_A_CFG_ASSOC_SOCK_MAX: u32, associations on one socket (range
 *	1..16777216, default 65536); ASSOC_NEW and HS_DONE beyond it fail with
 *	ENOSPC.
 * @M2MSEC_A_CFG_ASSOC_NET_MAX: u32, associations in the namespace (range
 *	1..16777216, default 262144); beyond it ENOSPC as well.
 * @M2MSEC_A_CFG_HS_USER_MAX: u32, unfinished connect() handshakes of one
 *	user without CAP_NET_ADMIN in the namespace (range 1..65536, default
 *	16), so that no user exhausts the namespace's M2MSEC_A_CFG_HS_NET_MAX
 *	for the others; connect() beyond it fails with EAGAIN.
 * @M2MSEC_A_EVENT_OLD_PEER: struct sockaddr_in or sockaddr_in6, the address
 *	an association's peer left (M2MSEC_EVENT_PEER_MOVED).
 */
enum m2msec_attr {
	M2MSEC_A_UNSPEC,
	M2MSEC_A_INFO_VERSION,
	M2MSEC_A_INFO_FAMILY,
	M2MSEC_A_INFO_DTLS_VERSIONS,
	M2MSEC_A_INFO_CIPHERS,
	M2MSEC_A_CFG_REPLAY_WINDOW,
	M2MSEC_A_CFG_CTRL_QUEUE_MAX,
	M2MSEC_A_CFG_ESPRIM_MAX_OBJECT,
	M2MSEC_A_SOCK_FD,
	M2MSEC_A_ASSOC_ID,
	M2MSEC_A_ASSOC_VERSION,
	M2MSEC_A_ASSOC_CIPHER,
	M2MSEC_A_ASSOC_PEER,
	M2MSEC_A_ASSOC_TX,
	M2MSEC_A_ASSOC_RX,
	M2MSEC_A_ASSOC_TX_CID,
	M2MSEC_A_ASSOC_RX_CID,
	M2MSEC_A_ASSOC_REPLAY_WINDOW,
	M2MSEC_A_ASSOC_RX_GRACE_MS,
	M2MSEC_A_ASSOC_TX_GRACE_MS,
	M2MSEC_A_ASSOC_STATS,
	M2MSEC_A_ASSOC_DRIVER,
	M2MSEC_A_ASSOC_LOCAL,
	M2MSEC_A_STATS,
	M2MSEC_A_ASSOC_AGE_MS,
	M2MSEC_A_ESPRIM_STATS,
	M2MSEC_A_ESPRIM_SESSION,
	M2MSEC_A_EVENT_LIMIT,
	M2MSEC_A_EVENT_EPOCH,
	M2MSEC_A_EVENT_COUNT,
	M2MSEC_A_EVENT_MAX,
	M2MSEC_A_HS_ID,
	M2MSEC_A_HS_ROLE,
	M2MSEC_A_HS_FD,
	M2MSEC_A_HS_STATUS,
	M2MSEC_A_HS_PEER_ID,
	M2MSEC_A_HS_SERVER_NAME,
	M2MSEC_A_CFG_HS_SOCK_MAX,
	M2MSEC_A_CFG_HS_NET_MAX,
	M2MSEC_A_CFG_HS_TIMEOUT_MS,
	M2MSEC_A_CFG_HS_RATE,
	M2MSEC_A_CFG_HS_BURST,
	M2MSEC_A_CFG_HS_QUEUE_MAX,
	M2MSEC_A_EVENT_KIND,
	M2MSEC_A_EVENT_DIR,
	M2MSEC_A_EVENT_REASON,
	M2MSEC_A_ASSOC_SUITE,
	M2MSEC_A_CFG_HS_HELLO_MAX,
	M2MSEC_A_CFG_HS_HELLO_BYTES,
	M2MSEC_A_HS_CTRL,
	M2MSEC_A_ASSOC_CTRL_FD,
	M2MSEC_A_ASSOC_SOCK_INO,
	M2MSEC_A_CFG_ASSOC_SOCK_MAX,
	M2MSEC_A_CFG_ASSOC_NET_MAX,
	M2MSEC_A_CFG_HS_USER_MAX,
	M2MSEC_A_EVENT_OLD_PEER,
	__M2MSEC_A_MAX,
};
#define M2MSEC_A_MAX (__M2MSEC_A_MAX - 1)

/* Nested inside M2MSEC_A_INFO_DTLS_VERSIONS. */
enum m2msec_info_version_attr {
	M2MSEC_A_INFO_DTLS_VERSION_UNSPEC,
	M2MSEC_A_INFO_DTLS_VERSION,
	__M2MSEC_A_INFO_DTLS_VERSION_MAX,
};

/**
 * enum m2msec_cipher_attr - attributes of one M2MSEC_A_INFO_CIPHER
 * @M2MSEC_A_CIPHER_ID: u32, enum m2msec_cipher.
 * @M2MSEC_A_CIPHER_NAME: string, e.g. "AES-128-CCM-8".
 * @M2MSEC_A_CIPHER_AEAD: string, crypto API algorithm name, e.g. "ccm(aes)".
 * @M2MSEC_A_CIPHER_DRIVER: string, the driver the crypto API resolves for
 *	that name right now (e.g. "gcm-aes-aesni"); absent when the algorithm
 *	is not available in this kernel.
 * @M2MSEC_A_CIPHER_KEY_LEN: u32, key bytes.
 * @M2MSEC_A_CIPHER_TAG_LEN: u32, authentication tag bytes.
 * @M2MSEC_A_CIPHER_SUITE12: u32, a DTLS 1.2 cipher suite (IANA) using it,
 *	repeated once per suite.
 * @M2MSEC_A_CIPHER_SUITE13: u32, the DTLS 1.3 cipher suite (IANA) using it.
 */
enum m2msec_cipher_attr {
	M2MSEC_A_CIPHER_UNSPEC,
	M2MSEC_A_CIPHER_ID,
	M2MSEC_A_CIPHER_NAME,
	M2MSEC_A_CIPHER_AEAD,
	M2MSEC_A_CIPHER_DRIVER,
	M2MSEC_A_CIPHER_KEY_LEN,
	M2MSEC_A_CIPHER_TAG_LEN,
	M2MSEC_A_CIPHER_SUITE12,
	M2MSEC_A_CIPHER_SUITE13,
	__M2MSEC_A_CIPHER_MAX,
};
#define M2MSEC_A_CIPHER_MAX (__M2MSEC_A_CIPHER_MAX - 1)

/* Nested inside M2MSEC_A_INFO_CIPHERS. */
enum m2msec_info_cipher_attr {
	M2MSEC_A_INFO_CIPHER_UNSPEC,
	M2MSEC_A_INFO_CIPHER,
	__M2MSEC_A_INFO_CIPHER_MAX,
};

#define M2MSEC_CID_MAX		32

/**
 * enum m2msec_event - what an M2MSEC_CMD_ASSOC_EVENT reports
 * @M2MSEC_EVENT_UP: an association was installed (a handshake finished or
 *	M2MSEC_CMD_ASSOC_NEW).
 * @M2MSEC_EVENT_KEY_UPDATE: M2MSEC_CMD_ASSOC_SET installed a new epoch.
 * @M2MSEC_EVENT_DOWN: an association was removed.
 * @M2MSEC_EVENT_HS_FAILED: a handshake request failed (connect() returns
 *	its status for clients).
 * @M2MSEC_EVENT_PEER_MOVED: the peer of an association with Connection IDs
 *	changed its address (M2MSEC_A_STAT_PEER_MOVED): M2MSEC_A_ASSOC_PEER is
 *	the new address, where its records go from now on,
 *	M2MSEC_A_EVENT_OLD_PEER the one it replaces.
 */
enum m2msec_event {
	M2MSEC_EVENT_UP = 1,
	M2MSEC_EVENT_KEY_UPDATE = 2,
	M2MSEC_EVENT_DOWN = 3,
	M2MSEC_EVENT_HS_FAILED = 4,
	M2MSEC_EVENT_PEER_MOVED = 5,
};

/**
 * enum m2msec_event_dir - direction of an M2MSEC_EVENT_KEY_UPDATE
 * @M2MSEC_EVENT_DIR_RX: records received.
 * @M2MSEC_EVENT_DIR_TX: records sent.
 */
enum m2msec_event_dir {
	M2MSEC_EVENT_DIR_RX = 1,
	M2MSEC_EVENT_DIR_TX = 2,
};

/**
 * enum m2msec_event_reason - why an association went down
 * @M2MSEC_EVENT_REASON_DELETED: M2MSEC_CMD_ASSOC_DEL (a close_notify alert
 *	was sent to the peer).
 * @M2MSEC_EVENT_REASON_SOCKET_CLOSED: its socket was closed.
 * @M2MSEC_EVENT_REASON_INTEGRITY_LIMIT: a DTLS 1.2 association whose
 *	receive epoch reached its AEAD integrity limit (RFC 9147 4.5.3:
 *	that many records failed authentication; 128 for CCM_8) ended, with
 *	a close_notify to the peer: DTLS 1.2 cannot update its keys, a new
 *	handshake can.  Counted in M2MSEC_A_STAT_INTEGRITY_CLOSED.
 */
enum m2msec_event_reason {
	M2MSEC_EVENT_REASON_DELETED = 1,
	M2MSEC_EVENT_REASON_SOCKET_CLOSED = 2,
	M2MSEC_EVENT_REASON_INTEGRITY_LIMIT = 3,
};

/* Multicast group of M2MSEC_CMD_LIMIT_EVENT and M2MSEC_CMD_ASSOC_EVENT. */
#define M2MSEC_MCGRP_EVENTS	"events"
/* Multicast group of M2MSEC_CMD_HS_REQUEST notifications (handshake daemon). */
#define M2MSEC_MCGRP_HANDSHAKE	"handshake"

/**
 * enum m2msec_hs_role - which side of the handshake the daemon plays
 * @M2MSEC_HS_CLIENT: the socket called connect().
 * @M2MSEC_HS_SERVER: a listening socket got a first flight from a peer
 *	without an association (created by M2MSEC_CMD_HS_CLAIM).
 * @M2MSEC_HS_LISTENER: the listener of a listening socket: its channel
 *	carries the first flights of unknown peers, each with a struct
 *	m2msec_hs_dgram header, and the daemon's stateless answers.
 */
enum m2msec_hs_role {
	M2MSEC_HS_CLIENT = 1,
	M2MSEC_HS_SERVER = 2,
	M2MSEC_HS_LISTENER = 3,
};

/**
 * struct m2msec_hs_dgram - header of one datagram on a listener channel
 * @hdr_len: sizeof(struct m2msec_hs_dgram) on read(); on write() at least
 *	M2MSEC_HS_DGRAM_MIN and at most the buffer: the datagram follows.
 * @peer_len: bytes of @peer used: sizeof(struct sockaddr_in) or
 *	sizeof(struct sockaddr_in6).
 * @local_len: bytes of @local used (read: the address the datagram was
 *	sent to; ignored on write).
 * @reserved: 0.
 * @peer: the peer's struct sockaddr_in or sockaddr_in6 (read: the source;
 *	write: the destination, in the socket's family).
 * @local: struct sockaddr_in or sockaddr_in6.
 *
 * Append only: new fields go at the end and raise @hdr_len.
 */
struct m2msec_hs_dgram {
	__u16 hdr_len;
	__u16 peer_len;
	__u16 local_len;
	__u16 reserved;
	__u8 peer[28];
	__u8 local[28];
};

/* The shortest header write() accepts: up to and with @peer. */
#define M2MSEC_HS_DGRAM_MIN	36

/**
 * enum m2msec_limit - AEAD usage limits (RFC 9147 4.5.3)
 * @M2MSEC_LIMIT_CONFIDENTIALITY: records sent with one key.
 * @M2MSEC_LIMIT_INTEGRITY: failed decryptions with one key.
 */
enum m2msec_limit {
	M2MSEC_LIMIT_CONFIDENTIALITY = 1,
	M2MSEC_LIMIT_INTEGRITY = 2,
};

/**
 * enum m2msec_dir_attr - one direction (TX or RX) of an association
 * @M2MSEC_A_DIR_EPOCH: u64, epoch of the keys (DTLS 1.2: 16 bits used).
 * @M2MSEC_A_DIR_SEQ: u64, TX: next sequence number to send; RX: the
 *	lowest sequence number still acceptable (records below it are
 *	replays), usually the next one expected.  48 bits.
 * @M2MSEC_A_DIR_KEY: u32, serial of an "m2msec" key of kind
 *	M2MSEC_KEY_RECORD (key, IV, and for DTLS 1.3 the record number key),
 *	looked up in the caller's context with search permission.
 */
enum m2msec_dir_attr {
	M2MSEC_A_DIR_UNSPEC,
	M2MSEC_A_DIR_EPOCH,
	M2MSEC_A_DIR_SEQ,
	M2MSEC_A_DIR_KEY,
	__M2MSEC_A_DIR_MAX,
};
#define M2MSEC_A_DIR_MAX (__M2MSEC_A_DIR_MAX - 1)

/**
 * enum m2msec_stat_attr - counters (u64), per association and global
 * @M2MSEC_A_STAT_RX_RECORDS: application records delivered.
 * @M2MSEC_A_STAT_RX_BYTES: plaintext bytes delivered.
 * @M2MSEC_A_STAT_TX_RECORDS: records sent.
 * @M2MSEC_A_STAT_TX_BYTES: plaintext bytes sent.
 * @M2MSEC_A_STAT_AUTH_FAIL: records dropped: authentication failed.
 * @M2MSEC_A_STAT_REPLAY: records dropped: replayed or too old.
 * @M2MSEC_A_STAT_HDR_ERR: records dropped: malformed header or length,
 *	wrong version, truncated datagram, more than 2^14 bytes of content
 *	after decryption (record_overflow).
 * @M2MSEC_A_STAT_NO_ASSOC: records dropped: no association (unknown peer
 *	or CID, deleted association), when not queued for the daemon.
 * @M2MSEC_A_STAT_CTRL_QUEUED: non-application records queued for the
 *	handshake daemon.
 * @M2MSEC_A_STAT_CTRL_DROP: such records dropped (queue full).
 * @M2MSEC_A_STAT_LIMIT: records refused: AEAD usage limit reached.
 * @M2MSEC_A_STAT_OLD_EPOCH: records decrypted with a previous RX epoch.
 * @M2MSEC_A_STAT_TX_ERR: sends that failed (route, memory, crypto).
 * @M2MSEC_A_STAT_RX_QUEUE_DROP: datagrams dropped because the socket's
 *	receive buffer was full (global only).
 * @M2MSEC_A_STAT_PAD: padding.
 *
 * Handshake counters, global only (M2MSEC_A_STATS):
 * @M2MSEC_A_STAT_HS_CREATED: handshake requests created (both roles).
 * @M2MSEC_A_STAT_HS_ACCEPTED: requests taken by M2MSEC_CMD_HS_ACCEPT.
 * @M2MSEC_A_STAT_HS_COMPLETED: requests finished with status 0.
 * @M2MSEC_A_STAT_HS_FAILED: requests finished with an error other than
 *	the timeout (daemon status, channel closed, socket closed, keys).
 * @M2MSEC_A_STAT_HS_TIMEOUT: requests failed with ETIMEDOUT.
 * @M2MSEC_A_STAT_HS_RATELIMITED: first flights refused by the per-source
 *	rate limit.
 * @M2MSEC_A_STAT_HS_DROPPED: requests refused because a maximum of
 *	unfinished requests (socket or namespace) was reached, or no memory.
 * @M2MSEC_A_STAT_HS_PENDING: a gauge, not a counter: requests created and
 *	not finished yet.
 * @M2MSEC_A_STAT_HS_HELLO_QUEUED: first flights of unknown peers queued on
 *	a listener (no per-peer state).
 * @M2MSEC_A_STAT_HS_HELLO_DROPPED: such first flights dropped: hello queue
 *	full (count, bytes or receive buffer), the socket has no listener, or
 *	stale (its peer got a request or association while it waited).
 * @M2MSEC_A_STAT_HS_HELLO_PENDING: a gauge: first flights in hello queues
 *	now.
 * @M2MSEC_A_STAT_HS_CLAIMED: server requests created by M2MSEC_CMD_HS_CLAIM.
 *
 * Peer address changes, global only:
 * @M2MSEC_A_STAT_PEER_MOVED: associations with Connection IDs whose peer
 *	address changed (RFC 9146 6, RFC 9147 9): an authenticated record
 *	carrying the association's CID, newer than every record received
 *	(current epoch, highest sequence number), came from another address.
 *	Reported as M2MSEC_EVENT_PEER_MOVED.
 * @M2MSEC_A_STAT_PEER_MOVE_REFUSED: such changes not made because another
 *	association of the socket has the new address (or no memory); the
 *	association keeps its address.
 * @M2MSEC_A_STAT_INTEGRITY_CLOSED: DTLS 1.2 associations ended because
 *	their receive epoch reached its AEAD integrity limit
 *	(M2MSEC_EVENT_REASON_INTEGRITY_LIMIT).
 * @M2MSEC_A_STAT_KEY_UPDATE_LIMITED: authenticated DTLS 1.3 KeyUpdate
 *	records of a peer dropped because the association passed on four in
 *	the last second already (the peer retransmits a KeyUpdate that is
 *	not acknowledged).
 *
 * Datagrams queued on a request for the daemon count as
 * M2MSEC_A_STAT_CTRL_QUEUED, those refused (queue or receive buffer full)
 * as M2MSEC_A_STAT_CTRL_DROP.
 */
enum m2msec_stat_attr {
	M2MSEC_A_STAT_UNSPEC,
	M2MSEC_A_STAT_RX_RECORDS,
	M2MSEC_A_STAT_RX_BYTES,
	M2MSEC_A_STAT_TX_RECORDS,
	M2MSEC_A_STAT_TX_BYTES,
	M2MSEC_A_STAT_AUTH_FAIL,
	M2MSEC_A_STAT_REPLAY,
	M2MSEC_A_STAT_HDR_ERR,
	M2MSEC_A_STAT_NO_ASSOC,
	M2MSEC_A_STAT_CTRL_QUEUED,
	M2MSEC_A_STAT_CTRL_DROP,
	M2MSEC_A_STAT_LIMIT,
	M2MSEC_A_STAT_OLD_EPOCH,
	M2MSEC_A_STAT_TX_ERR,
	M2MSEC_A_STAT_RX_QUEUE_DROP,
	M2MSEC_A_STAT_PAD,
	M2MSEC_A_STAT_HS_CREATED,
	M2MSEC_A_STAT_HS_ACCEPTED,
	M2MSEC_A_STAT_HS_COMPLETED,
	M2MSEC_A_STAT_HS_FAILED,
	M2MSEC_A_STAT_HS_TIMEOUT,
	M2MSEC_A_STAT_HS_RATELIMITED,
	M2MSEC_A_STAT_HS_DROPPED,
	M2MSEC_A_STAT_HS_PENDING,
	M2MSEC_A_STAT_HS_HELLO_QUEUED,
	M2MSEC_A_STAT_HS_HELLO_DROPPED,
	M2MSEC_A_STAT_HS_HELLO_PENDING,
	M2MSEC_A_STAT_HS_CLAIMED,
	M2MSEC_A_STAT_PEER_MOVED,
	M2MSEC_A_STAT_PEER_MOVE_REFUSED,
	M2MSEC_A_STAT_INTEGRITY_CLOSED,
	M2MSEC_A_STAT_KEY_UPDATE_LIMITED,
	__M2MSEC_A_STAT_MAX,
};
#define M2MSEC_A_STAT_MAX (__M2MSEC_A_STAT_MAX - 1)

/* ------------------------------------------------------------------ */
/* DTLS socket: control messages                                       */
/* ------------------------------------------------------------------ */

/* cmsg_level of m2msec control messages. */
#define SOL_M2MSEC		0x4d32

/**
 * enum m2msec_cmsg - control message types at level SOL_M2MSEC
 * @M2MSEC_CMSG_ASSOC_ID: __u32.  recvmsg(): the association the record
 *	came from (always present).  sendmsg(): send on this association
 *	instead of looking it up by destination address.
 * @M2MSEC_CMSG_EPOCH: __u64.  recvmsg(): the epoch of the record (always
 *	present).  sendmsg(): send in this epoch (the current one or the one
 *	it replaced, within the TX grace period); EKEYEXPIRED otherwise.
 * @M2MSEC_CMSG_SEGMENT: __u16, sendmsg() only, as UDP_SEGMENT: the data
 *	is cut into records of this many bytes of plaintext (the last one may
 *	be shorter), at most M2MSEC_SEGMENTS_MAX records and 64 KiB of
 *	records in all (EMSGSIZE otherwise; 0 is EINVAL).  They take
 *	consecutive sequence numbers and leave as one GSO packet (one UDP
 *	datagram per record on the wire); all of them are sent or, on an
 *	error, none.  Each record must fit the path MTU.  EOPNOTSUPP when
 *	the route cannot carry a GSO packet (IPsec; an IPv4 peer of a socket
 *	bound to an IPv6 address).
 */
enum m2msec_cmsg {
	M2MSEC_CMSG_ASSOC_ID = 1,
	M2MSEC_CMSG_EPOCH = 2,
	M2MSEC_CMSG_SEGMENT = 3,
};

#define M2MSEC_SEGMENTS_MAX	64

#define M2MSEC_SERVER_NAME_MAX	255
#define M2MSEC_PEER_ID_MAX	1024

/**
 * enum m2msec_dtls_sockopt - DTLS socket options at level SOL_M2MSEC
 * @M2MSEC_SO_SERVER_NAME: characters (no NUL needed), at most
 *	M2MSEC_SERVER_NAME_MAX: the server name (SNI) the handshake daemon
 *	sends as a client, reported in M2MSEC_CMD_HS_REQUEST and
 *	M2MSEC_CMD_HS_ACCEPT (for a listening socket: the name whose
 *	credentials the daemon should present).  optlen 0 clears it.
 *	getsockopt() returns it with a terminating NUL (ENOENT when unset).
 * @M2MSEC_SO_PEER_ID: getsockopt() only.  On input the first 4 bytes of
 *	optval are a __u32 association id (0: the association of the peer
 *	given to connect()); on return optval holds the peer's authenticated
 *	identity from M2MSEC_CMD_HS_DONE (M2MSEC_A_HS_PEER_ID) as a
 *	NUL-terminated string and optlen its size with the NUL.  Errors:
 *	EINVAL (optlen < 4), ENOENT (no such association), ENODATA (installed
 *	without an identity: static keying), ERANGE (optval too small; optlen
 *	is set to the size needed).
 */
enum m2msec_dtls_sockopt {
	M2MSEC_SO_SERVER_NAME = 1,
	M2MSEC_SO_PEER_ID = 2,
};

/* ------------------------------------------------------------------ */
/* ESPrim socket (M2MSEC_PROTO_ESPRIM, SOCK_SEQPACKET)                 */
/* ------------------------------------------------------------------ */

/*
 * oneM2M End-to-End Security of Primitives (TS-0003 clause 8.4), see
 * Documentation/esprim.md.  An ESPrim socket is a transform: every message
 * written to it produces exactly one result message, in order, to be read
 * back from the same socket.
 *
 *  - protect: sendmsg() an inner primitive with an M2MSEC_CMSG_ESPRIM_SESSION
 *    control message (optionally M2MSEC_CMSG_ESPRIM_CTY and
 *    M2MSEC_CMSG_ESPRIM_FLAGS); the result is the ESPrim Object (JWE compact
 *    serialization, ASCII).
 *  - unprotect: sendmsg() an ESPrim Object without a SESSION control
 *    message; the result is the verified inner primitive.
 *
 * Every result carries M2MSEC_CMSG_ESPRIM_STATUS, a oneM2M response status
 * code (enum m2msec_esprim_rsc): M2MSEC_RSC_OK with the output as data, or
 * an error code with no data.  sendmsg() itself fails only for misuse of
 * the socket (malformed control messages: EINVAL; results not yet read
 * exceed SO_RCVBUF: ENOBUFS; no memory: ENOMEM); nothing is queued then.
 * sendmmsg()/recvmmsg() work one object per message.
 *
 * Keys: pairwise keys are "m2msec" keys of kind M2MSEC_KEY_ESPRIM_PAIRWISE
 * whose description is the pairwiseESPrimKeyID ("kid"); they are looked up
 * by serial in the caller's context (search permission needed).  Revoking,
 * invalidating or expiring the key ends every session using it.
 */

#define M2MSEC_ESPRIM_RAND_LEN		16	/* esprimRandValue: 128 bits */
#define M2MSEC_ESPRIM_ID_MAX		64	/* esprimRandID characters */
#define M2MSEC_ESPRIM_KID_MAX		256	/* pairwiseESPrimKeyID characters */
#define M2MSEC_ESPRIM_CTY_MAX		128	/* "cty" characters */
#define M2MSEC_ESPRIM_KEYS_MAX		64	/* keys per socket */
#define M2MSEC_ESPRIM_RANDS_MAX		256	/* rand objects per socket */
#define M2MSEC_ESPRIM_SESSIONS_MAX	256	/* sessions per socket */
/* Session ids from here up are assigned by the kernel (learned sessions). */
#define M2MSEC_ESPRIM_SESSION_LEARNED	0x80000000u

/**
 * enum m2msec_esprim_alg - esprimProtocolAndAlgID values
 * @M2MSEC_ESPRIM_A128GCM: JWE compact serialization, "enc":"A128GCM".
 * @M2MSEC_ESPRIM_A192GCM: JWE compact serialization, "enc":"A192GCM".
 * @M2MSEC_ESPRIM_A256GCM: JWE compact serialization, "enc":"A256GCM".
 *
 * In bit masks (espa) the id n is bit n.
 */
enum m2msec_esprim_alg {
	M2MSEC_ESPRIM_A128GCM = 10,
	M2MSEC_ESPRIM_A192GCM = 11,
	M2MSEC_ESPRIM_A256GCM = 12,
};

/* esprimKeyGenAlgID: HMAC-SHA256, the only one defined.  Bit n in masks. */
#define M2MSEC_ESPRIM_KEYGEN_HMAC_SHA256	1

/**
 * enum m2msec_esprim_role - whose rand object it is
 * @M2MSEC_ESPRIM_RECEIVER: a receiverESPrimRandObject ("rri" names it).
 * @M2MSEC_ESPRIM_ORIGINATOR: an originatorESPrimRandObject ("ori").
 */
enum m2msec_esprim_role {
	M2MSEC_ESPRIM_RECEIVER = 1,
	M2MSEC_ESPRIM_ORIGINATOR = 2,
};

/**
 * struct m2msec_esprim_rand - an ESPrim rand object (M2MSEC_ESPRIM_RAND_ADD)
 * @role: enum m2msec_esprim_role.
 * @id_len: characters in @id, 1..M2MSEC_ESPRIM_ID_MAX.
 * @reserved: zero.
 * @keygen_algs: esprimKeyGenAlgID(s) allowed, bit n for id n; must
 *	include bit M2MSEC_ESPRIM_KEYGEN_HMAC_SHA256.
 * @algs: esprimProtocolAndAlgIDs allowed, bit n for id n (bits 10..12).
 * @reserved2: zero.
 * @expiry_ms: esprimRandExpiry, CLOCK_REALTIME milliseconds since the
 *	epoch; must be in the future.
 * @value: esprimRandValue.
 * @id: esprimRandID, printable ASCII without space, '"' and '\\'.
 *
 * Register the receiver objects this entity published and the originator
 * objects of its peers known in advance (objects carried in "oro" are
 * learned by the kernel), and the entity's own originator objects for
 * sessions it starts.  (role, id) is unique per socket (EEXIST).
 */
struct m2msec_esprim_rand {
	__u8	role;
	__u8	id_len;
	__u16	reserved;
	__u32	keygen_algs;
	__u32	algs;
	__u32	reserved2;
	__u64	expiry_ms;
	__u8	value[M2MSEC_ESPRIM_RAND_LEN];
	char	id[M2MSEC_ESPRIM_ID_MAX];
};

/**
 * struct m2msec_esprim_rand_ref - names a rand object (M2MSEC_ESPRIM_RAND_DEL)
 * @role: enum m2msec_esprim_role.
 * @id_len: characters in @id.
 * @reserved: zero.
 * @id: esprimRandID.
 */
struct m2msec_esprim_rand_ref {
	__u8	role;
	__u8	id_len;
	__u16	reserved;
	char	id[M2MSEC_ESPRIM_ID_MAX];
};

/* Protect: put the whole rand object in the protected header. */
#define M2MSEC_ESPRIM_F_ORO	0x1	/* "oro": the originator's */
#define M2MSEC_ESPRIM_F_RRO	0x2	/* "rro": the receiver's */

/**
 * struct m2msec_esprim_session - set up a session (M2MSEC_ESPRIM_SESSION_ADD)
 * @id: session id chosen by the caller, 1..M2MSEC_ESPRIM_SESSION_LEARNED-1,
 *	unique per socket (EEXIST).
 * @key: serial of the pairwise key ("m2msec" key, kind
 *	M2MSEC_KEY_ESPRIM_PAIRWISE), looked up with search permission.
 * @alg: enum m2msec_esprim_alg, allowed by both rand objects.
 * @flags: M2MSEC_ESPRIM_F_* used when protecting with this session.
 * @rri_len: characters in @rri.
 * @ori_len: characters in @ori.
 * @reserved: zero.
 * @rri: id of a registered receiver rand object.
 * @ori: id of a registered originator rand object.
 *
 * The kernel derives sessionESPrimKey from the key and the two rand values
 * (Documentation/esprim.md gives the exact bytes) and keeps it until the
 * earlier of the two expiries, M2MSEC_ESPRIM_SESSION_DEL, or the end of the
 * key.  Errors: ENOKEY/EKEYREVOKED/EKEYEXPIRED/EACCES from the key lookup,
 * EMEDIUMTYPE for a key of another type or kind, ENOENT for an unknown rand
 * id, ETIME for an expired rand object or an originator object expiring
 * after the receiver's, EOPNOTSUPP for an algorithm not allowed by both,
 * ENOSPC beyond M2MSEC_ESPRIM_SESSIONS_MAX.
 */
struct m2msec_esprim_session {
	__u32	id;
	__s32	key;
	__u16	alg;
	__u16	flags;
	__u8	rri_len;
	__u8	ori_len;
	__u16	reserved;
	char	rri[M2MSEC_ESPRIM_ID_MAX];
	char	ori[M2MSEC_ESPRIM_ID_MAX];
};

/**
 * enum m2msec_esprim_sockopt - setsockopt() names at level SOL_M2MSEC
 * @M2MSEC_ESPRIM_KEY_ADD: __s32 key serial: make the pairwise key
 *	resolvable by its kid when unprotecting.  EEXIST if a key with that
 *	kid is registered; ENOSPC beyond M2MSEC_ESPRIM_KEYS_MAX.
 * @M2MSEC_ESPRIM_KEY_DEL: __s32 key serial: forget the key and end the
 *	sessions using it.  ENOENT if not registered.
 * @M2MSEC_ESPRIM_RAND_ADD: struct m2msec_esprim_rand.
 * @M2MSEC_ESPRIM_RAND_DEL: struct m2msec_esprim_rand_ref: forget the rand
 *	object and end the sessions using it.
 * @M2MSEC_ESPRIM_SESSION_ADD: struct m2msec_esprim_session.
 * @M2MSEC_ESPRIM_SESSION_DEL: __u32 session id; the session key is wiped.
 *
 * optlen must be exactly the size of the argument (EINVAL otherwise).
 */
enum m2msec_esprim_sockopt {
	M2MSEC_ESPRIM_KEY_ADD = 0x100,
	M2MSEC_ESPRIM_KEY_DEL,
	M2MSEC_ESPRIM_RAND_ADD,
	M2MSEC_ESPRIM_RAND_DEL,
	M2MSEC_ESPRIM_SESSION_ADD,
	M2MSEC_ESPRIM_SESSION_DEL,
};

/**
 * enum m2msec_esprim_cmsg - control messages of ESPrim sockets (SOL_M2MSEC)
 * @M2MSEC_CMSG_ESPRIM_SESSION: __u32.  sendmsg(): protect with this
 *	session (absent: unprotect).  recvmsg(): the session used (present
 *	when one was found).
 * @M2MSEC_CMSG_ESPRIM_CTY: characters (no NUL).  sendmsg() when
 *	protecting: the "cty" header member, 1..M2MSEC_ESPRIM_CTY_MAX
 *	printable ASCII characters without '"' and '\\'.  recvmsg() after
 *	unprotecting: the object's "cty", when it has one.
 * @M2MSEC_CMSG_ESPRIM_STATUS: __u32, recvmsg(): enum m2msec_esprim_rsc,
 *	always present.
 * @M2MSEC_CMSG_ESPRIM_KID: characters, recvmsg() after unprotecting: the
 *	object's "kid" (present once the header parsed).
 * @M2MSEC_CMSG_ESPRIM_PEER_ID: characters, recvmsg() after a successful
 *	unprotect: the oneM2M identity bound to the pairwise key.  The
 *	application compares it with the From of the inner primitive (4116
 *	ESPRIM_IMPERSONATION_ERROR on mismatch): the kernel does not parse
 *	inner primitives.
 * @M2MSEC_CMSG_ESPRIM_FLAGS: __u32, sendmsg() when protecting:
 *	M2MSEC_ESPRIM_F_* for this message instead of the session's flags.
 */
enum m2msec_esprim_cmsg {
	M2MSEC_CMSG_ESPRIM_SESSION = 0x100,
	M2MSEC_CMSG_ESPRIM_CTY,
	M2MSEC_CMSG_ESPRIM_STATUS,
	M2MSEC_CMSG_ESPRIM_KID,
	M2MSEC_CMSG_ESPRIM_PEER_ID,
	M2MSEC_CMSG_ESPRIM_FLAGS,
};

/**
 * enum m2msec_esprim_rsc - oneM2M response status codes of ESPrim results
 * @M2MSEC_RSC_OK: success (2000 OK).
 * @M2MSEC_RSC_BAD_REQUEST: the object or primitive is malformed, too
 *	large, not canonical base64url, or its header has a missing,
 *	duplicate, unknown or oversized member.
 * @M2MSEC_RSC_ESPRIM_UNSUPPORTED_OPTION: "alg" other than "dir", an "enc"
 *	other than A128GCM/A192GCM/A256GCM or not allowed by the rand
 *	objects, a key generation algorithm other than HMAC-SHA256, "crit".
 * @M2MSEC_RSC_ESPRIM_UNKNOWN_KEY_ID: "kid" unknown, or its key revoked,
 *	invalidated or expired; protect: the session's key ended.
 * @M2MSEC_RSC_ESPRIM_UNKNOWN_ORIG_RAND_ID: "ori" unknown or expired, or an
 *	"oro" that is expired or expires after the receiver object;
 *	protect: the session expired.
 * @M2MSEC_RSC_ESPRIM_UNKNOWN_RECV_RAND_ID: "rri" unknown or expired.
 * @M2MSEC_RSC_ESPRIM_BAD_MAC: the authentication tag does not verify.
 * @M2MSEC_RSC_ESPRIM_IMPERSONATION_ERROR: for applications (see
 *	M2MSEC_CMSG_ESPRIM_PEER_ID); never produced by the kernel.
 * @M2MSEC_RSC_NOT_FOUND: protect: no session with that id.
 * @M2MSEC_RSC_ESPRIM_DECRYPTION_ERROR: the cipher failed for another
 *	reason than the tag.
 * @M2MSEC_RSC_ESPRIM_ENCRYPTION_ERROR: protecting failed in the cipher or
 *	the object would exceed the namespace's esprim_max_object.
 */
enum m2msec_esprim_rsc {
	M2MSEC_RSC_OK = 2000,
	M2MSEC_RSC_BAD_REQUEST = 4000,
	M2MSEC_RSC_NOT_FOUND = 4004,
	M2MSEC_RSC_ESPRIM_UNSUPPORTED_OPTION = 4111,
	M2MSEC_RSC_ESPRIM_UNKNOWN_KEY_ID = 4112,
	M2MSEC_RSC_ESPRIM_UNKNOWN_ORIG_RAND_ID = 4113,
	M2MSEC_RSC_ESPRIM_UNKNOWN_RECV_RAND_ID = 4114,
	M2MSEC_RSC_ESPRIM_BAD_MAC = 4115,
	M2MSEC_RSC_ESPRIM_IMPERSONATION_ERROR = 4116,
	M2MSEC_RSC_ESPRIM_DECRYPTION_ERROR = 5210,
	M2MSEC_RSC_ESPRIM_ENCRYPTION_ERROR = 5211,
};

/**
 * enum m2msec_esprim_stat_attr - ESPrim counters (u64, per namespace)
 * @M2MSEC_A_ESPRIM_STAT_PROTECT_OK: objects produced.
 * @M2MSEC_A_ESPRIM_STAT_UNPROTECT_OK: objects verified and decrypted.
 * @M2MSEC_A_ESPRIM_STAT_BAD_REQUEST: results with status 4000.
 * @M2MSEC_A_ESPRIM_STAT_OVERSIZE: of those, input above esprim_max_object.
 * @M2MSEC_A_ESPRIM_STAT_UNSUPPORTED: results with status 4111.
 * @M2MSEC_A_ESPRIM_STAT_UNKNOWN_KID: results with status 4112.
 * @M2MSEC_A_ESPRIM_STAT_UNKNOWN_ORI: results with status 4113.
 * @M2MSEC_A_ESPRIM_STAT_UNKNOWN_RRI: results with status 4114.
 * @M2MSEC_A_ESPRIM_STAT_BAD_MAC: results with status 4115.
 * @M2MSEC_A_ESPRIM_STAT_NOT_FOUND: results with status 4004.
 * @M2MSEC_A_ESPRIM_STAT_DECRYPT_ERR: results with status 5210.
 * @M2MSEC_A_ESPRIM_STAT_ENCRYPT_ERR: results with status 5211.
 * @M2MSEC_A_ESPRIM_STAT_SESSIONS_ADDED: sessions set up (sockopt or learned).
 * @M2MSEC_A_ESPRIM_STAT_SESSIONS_LEARNED: of those, learned from objects.
 * @M2MSEC_A_ESPRIM_STAT_SESSIONS_KEY_ENDED: sessions ended because their
 *	key was revoked, invalidated, expired or unregistered.
 * @M2MSEC_A_ESPRIM_STAT_SESSIONS_EXPIRED: sessions ended by rand expiry.
 * @M2MSEC_A_ESPRIM_STAT_RANDS_LEARNED: originator objects learned from "oro".
 * @M2MSEC_A_ESPRIM_STAT_REFUSED: setsockopt() requests refused.
 */
enum m2msec_esprim_stat_attr {
	M2MSEC_A_ESPRIM_STAT_UNSPEC,
	M2MSEC_A_ESPRIM_STAT_PAD,
	M2MSEC_A_ESPRIM_STAT_PROTECT_OK,
	M2MSEC_A_ESPRIM_STAT_UNPROTECT_OK,
	M2MSEC_A_ESPRIM_STAT_BAD_REQUEST,
	M2MSEC_A_ESPRIM_STAT_OVERSIZE,
	M2MSEC_A_ESPRIM_STAT_UNSUPPORTED,
	M2MSEC_A_ESPRIM_STAT_UNKNOWN_KID,
	M2MSEC_A_ESPRIM_STAT_UNKNOWN_ORI,
	M2MSEC_A_ESPRIM_STAT_UNKNOWN_RRI,
	M2MSEC_A_ESPRIM_STAT_BAD_MAC,
	M2MSEC_A_ESPRIM_STAT_NOT_FOUND,
	M2MSEC_A_ESPRIM_STAT_DECRYPT_ERR,
	M2MSEC_A_ESPRIM_STAT_ENCRYPT_ERR,
	M2MSEC_A_ESPRIM_STAT_SESSIONS_ADDED,
	M2MSEC_A_ESPRIM_STAT_SESSIONS_LEARNED,
	M2MSEC_A_ESPRIM_STAT_SESSIONS_KEY_ENDED,
	M2MSEC_A_ESPRIM_STAT_SESSIONS_EXPIRED,
	M2MSEC_A_ESPRIM_STAT_RANDS_LEARNED,
	M2MSEC_A_ESPRIM_STAT_REFUSED,
	__M2MSEC_A_ESPRIM_STAT_MAX,
};
#define M2MSEC_A_ESPRIM_STAT_MAX (__M2MSEC_A_ESPRIM_STAT_MAX - 1)

/**
 * enum m2msec_esprim_sess_attr - one session in M2MSEC_A_ESPRIM_SESSION
 * @M2MSEC_A_ESPRIM_SESS_SOCK_INO: u64, inode number of the socket
 *	(as in /proc/PID/fd links "socket:[N]").
 * @M2MSEC_A_ESPRIM_SESS_ID: u32, session id.
 * @M2MSEC_A_ESPRIM_SESS_KID: string, pairwiseESPrimKeyID.
 * @M2MSEC_A_ESPRIM_SESS_KEY: u32, key serial.
 * @M2MSEC_A_ESPRIM_SESS_PEER_ID: string, identity bound to the key.
 * @M2MSEC_A_ESPRIM_SESS_ALG: u32, enum m2msec_esprim_alg (protect).
 * @M2MSEC_A_ESPRIM_SESS_RRI: string, receiver rand id.
 * @M2MSEC_A_ESPRIM_SESS_ORI: string, originator rand id.
 * @M2MSEC_A_ESPRIM_SESS_EXPIRY_MS: u64, CLOCK_REALTIME ms of the end.
 * @M2MSEC_A_ESPRIM_SESS_LEARNED: flag, set up from a received object.
 * @M2MSEC_A_ESPRIM_SESS_PROTECTED: u64, objects produced.
 * @M2MSEC_A_ESPRIM_SESS_UNPROTECTED: u64, objects verified.
 * @M2MSEC_A_ESPRIM_SESS_PAD: padding.
 */
enum m2msec_esprim_sess_attr {
	M2MSEC_A_ESPRIM_SESS_UNSPEC,
	M2MSEC_A_ESPRIM_SESS_PAD,
	M2MSEC_A_ESPRIM_SESS_SOCK_INO,
	M2MSEC_A_ESPRIM_SESS_ID,
	M2MSEC_A_ESPRIM_SESS_KID,
	M2MSEC_A_ESPRIM_SESS_KEY,
	M2MSEC_A_ESPRIM_SESS_PEER_ID,
	M2MSEC_A_ESPRIM_SESS_ALG,
	M2MSEC_A_ESPRIM_SESS_RRI,
	M2MSEC_A_ESPRIM_SESS_ORI,
	M2MSEC_A_ESPRIM_SESS_EXPIRY_MS,
	M2MSEC_A_ESPRIM_SESS_LEARNED,
	M2MSEC_A_ESPRIM_SESS_PROTECTED,
	M2MSEC_A_ESPRIM_SESS_UNPROTECTED,
	__M2MSEC_A_ESPRIM_SESS_MAX,
};
#define M2MSEC_A_ESPRIM_SESS_MAX (__M2MSEC_A_ESPRIM_SESS_MAX - 1)

/* ------------------------------------------------------------------ */
/* Association control channel                                         */
/* ------------------------------------------------------------------ */

/*
 * The descriptor M2MSEC_CMD_HS_DONE returns with M2MSEC_A_HS_CTRL: the
 * post-handshake control plane of one DTLS association (RFC 9147 section
 * 8 KeyUpdate, section 7 ACK, NewSessionTicket, alerts).  While it is open,
 * the association's records that are not application data go to it instead
 * of the socket's control queue.
 *
 *  read()   one struct m2msec_ctrl_hdr followed by the record's content
 *           (the plaintext when M2MSEC_CTRL_F_DECRYPTED, else the whole
 *           record as received), or a header alone for an event (type 0).
 *           A short buffer truncates the content.  EAGAIN when nothing is
 *           queued (O_NONBLOCK), else it blocks; 0 once the association is
 *           gone (deleted, socket closed).
 *  write()  one struct m2msec_ctrl_hdr (type: M2MSEC_CTRL_TYPE_* content
 *           type; flags, reserved, epoch and seq zero) followed by at most
 *           2^14 bytes of plaintext: sent as one record protected with the
 *           association's current TX epoch and its next sequence number.
 *           EINVAL (bad header or type), EMSGSIZE, EKEYEXPIRED (AEAD limit),
 *           EPIPE (association or socket gone).
 *  ioctl(M2MSEC_CTRL_LAST_TX)  the record number (epoch, seq) of the last
 *           record this descriptor sent, to match ACKs (ENODATA before any).
 *  poll()   EPOLLIN when something is queued, EPOLLIN|EPOLLRDHUP once the
 *           association is gone, EPOLLOUT while it exists.
 *  close()  the association carries on; its control records go back to
 *           the socket's control queue.
 *
 * The queue holds at most the namespace's ctrl-queue-max entries; records
 * beyond are dropped and counted (M2MSEC_A_STAT_CTRL_DROP).
 */

/* Content types the control channel sends (RFC 8446 5.1, RFC 9147 7). */
#define M2MSEC_CTRL_TYPE_ALERT		21
#define M2MSEC_CTRL_TYPE_HANDSHAKE	22
#define M2MSEC_CTRL_TYPE_ACK		26

/* struct m2msec_ctrl_hdr flags */
#define M2MSEC_CTRL_F_DECRYPTED	0x1	/* plaintext; epoch and seq valid */

/**
 * enum m2msec_ctrl_event - events read from a control channel (type 0)
 * @M2MSEC_CTRL_EV_REKEY: M2MSEC_CMD_ASSOC_REKEY: update the keys.
 * @M2MSEC_CTRL_EV_LIMIT: the current TX epoch reached 7/8 of its AEAD
 *	confidentiality limit (@epoch: that epoch, @seq: records sent).
 */
enum m2msec_ctrl_event {
	M2MSEC_CTRL_EV_REKEY = 1,
	M2MSEC_CTRL_EV_LIMIT = 2,
};

/**
 * struct m2msec_ctrl_hdr - header of a control channel read or write
 * @type: content type (21 alert, 22 handshake, 26 ACK, ...), 0: event.
 * @flags: M2MSEC_CTRL_F_*.
 * @event: enum m2msec_ctrl_event when @type is 0.
 * @len: bytes of content that follow (read: before truncation).
 * @epoch: the record's epoch (DTLS 1.3: reconstructed).
 * @seq: the record's sequence number (DTLS 1.3: reconstructed), valid
 *	with M2MSEC_CTRL_F_DECRYPTED.
 */
struct m2msec_ctrl_hdr {
	__u8	type;
	__u8	flags;
	__u16	event;
	__u32	len;
	__u64	epoch;
	__u64	seq;
};

/**
 * struct m2msec_ctrl_recno - a record number (RFC 9147 4)
 * @epoch: epoch.
 * @seq: sequence number.
 */
struct m2msec_ctrl_recno {
	__u64	epoch;
	__u64	seq;
};

#define M2MSEC_CTRL_LAST_TX	_IOR(0x4d, 1, struct m2msec_ctrl_recno)

#endif /* _UAPI_LINUX_M2MSEC_H */
