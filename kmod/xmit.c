// SPDX-License-Identifier: GPL-2.0
/*
 * Records out: the route of an association and the transmit of one record.
 *
 * tx.c builds each record in an skb it gets here (m2msec_xmit_alloc()),
 * with headroom for the UDP and IP headers of the cached route, and hands
 * it back to m2msec_xmit() which adds those headers with the UDP tunnel
 * helpers and passes the packet to ip_local_out()/ip6_local_out().  No
 * UDP socket send path runs per record: no second copy, no route lookup.
 *
 * The route comes from the association's dst_cache (per CPU); a route that
 * changed or expired is looked up again from the UDP socket's binding
 * (address, device, mark, ports), as udp_sendmsg() would.  A send copies
 * the peer address once (it moves when a CID peer's address changes,
 * m2msec_assoc_move(), which resets the cache inside the change).  A send
 * that copied the address before a move may cache the old route after
 * that reset: it then finds the address changed and resets the cache
 * itself, in the same BH-disabled section (the cache is per CPU).
 *
 * Like the UDP socket (IP_PMTUDISC_DO / IPV6_DONTFRAG), a record larger
 * than the path MTU is refused with EMSGSIZE, never fragmented.  The skb
 * is charged to the UDP socket's send buffer (EAGAIN when it is full, as
 * before).  A peer whose family differs from the UDP socket's (IPv4 peer
 * on an IPv6 socket) takes the UDP socket's own send path instead.
 *
 * Process context: the route lookup runs with BH disabled for the per-CPU
 * cache and the transmit with BH disabled as tunnel drivers transmit.
 */
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/dst_cache.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp_tunnel.h>

#include "dtls.h"

/* The UDP socket's family carries @peer without address mapping. */
static bool m2msec_xmit_direct(const struct sock *sk,
			       const union m2msec_addr *peer)
{
	if (sk->sk_family != peer->sa.sa_family)
		return false;
	return sk->sk_family == AF_INET ||
	       !ipv6_addr_v4mapped(&peer->sin6.sin6_addr);
}

/*
 * After caching a route for r->peer, BH disabled: if the peer moved since
 * it was copied, that route must not stay in the cache.
 */
static void m2msec_route_cached(struct m2msec_assoc *a,
				const struct m2msec_route *r)
{
	smp_mb();	/* the cache entry is stored before peer_seq is read */
	if (read_seqcount_retry(&a->peer_seq, r->peer_seq))
		dst_cache_reset(&a->dst_cache);
}

static int m2msec_route4(struct m2msec_assoc *a, struct sock *sk,
			 struct m2msec_route *r)
{
	const struct inet_sock *inet = inet_sk(sk);
	struct flowi4 fl4 = {
		.daddr = r->peer.sin.sin_addr.s_addr,
		.saddr = inet->inet_saddr,
		.flowi4_oif = READ_ONCE(sk->sk_bound_dev_if),
		.flowi4_mark = READ_ONCE(sk->sk_mark),
		.flowi4_proto = IPPROTO_UDP,
		.flowi4_uid = sock_net_uid(sock_net(sk), sk),
		.fl4_sport = inet->inet_sport,
		.fl4_dport = r->peer.sin.sin_port,
	};
	struct rtable *rt;

	local_bh_disable();
	rt = dst_cache_get_ip4(&a->dst_cache, &r->saddr.v4);
	local_bh_enable();
	if (!rt) {
		rt = ip_route_output_flow(sock_net(sk), &fl4, sk);
		if (IS_ERR(rt))
			return PTR_ERR(rt);
		if ((rt->rt_flags & RTCF_BROADCAST) &&
		    !sock_flag(sk, SOCK_BROADCAST)) {
			ip_rt_put(rt);
			return -EACCES;
		}
		r->saddr.v4 = fl4.saddr;
		local_bh_disable();
		dst_cache_set_ip4(&a->dst_cache, &rt->dst, fl4.saddr);
		m2msec_route_cached(a, r);
		local_bh_enable();
	}
	r->dst = &rt->dst;
	r->net_hdr = sizeof(struct iphdr);
	return 0;
}

#if IS_ENABLED(CONFIG_IPV6)
static int m2msec_route6(struct m2msec_assoc *a, struct sock *sk,
			 struct m2msec_route *r)
{
	const struct in6_addr *daddr = &r->peer.sin6.sin6_addr;
	struct flowi6 fl6 = {
		.daddr = *daddr,
		.saddr = sk->sk_v6_rcv_saddr,
		.flowi6_oif = READ_ONCE(sk->sk_bound_dev_if),
		.flowi6_mark = READ_ONCE(sk->sk_mark),
		.flowi6_proto = IPPROTO_UDP,
		.flowi6_uid = sock_net_uid(sock_net(sk), sk),
		.fl6_sport = inet_sk(sk)->inet_sport,
		.fl6_dport = r->peer.sin6.sin6_port,
	};
	struct dst_entry *dst;

	local_bh_disable();
	dst = dst_cache_get_ip6(&a->dst_cache, &r->saddr.v6);
	local_bh_enable();
	if (!dst) {
		/* Link-local peers: the interface is the address's scope. */
		if (!fl6.flowi6_oif &&
		    __ipv6_addr_needs_scope_id(ipv6_addr_type(daddr)))
			fl6.flowi6_oif = r->peer.sin6.sin6_scope_id;
		dst = ipv6_stub->ipv6_dst_lookup_flow(sock_net(sk), sk, &fl6,
						      NULL);
		if (IS_ERR(dst))
			return PTR_ERR(dst);
		r->saddr.v6 = fl6.saddr;
		local_bh_disable();
		dst_cache_set_ip6(&a->dst_cache, dst, &fl6.saddr);
		m2msec_route_cached(a, r);
		local_bh_enable();
	}
	r->dst = dst;
	r->net_hdr = sizeof(struct ipv6hdr);
	return 0;
}
#else
static int m2msec_route6(struct m2msec_assoc *a, struct sock *sk,
			 struct m2msec_route *r)
{
	return -EAFNOSUPPORT;
}
#endif

/**
 * m2msec_xmit_alloc() - an skb for one record to @a's peer
 * @a: association the caller holds a reference on
 * @r: route state, filled here; pass it to m2msec_xmit()
 * @len: the length of the records
 * @seg: the length of one record: @len for a single record; less than
 *	@len for a GSO packet of records of @seg bytes, the last one
 *	possibly shorter
 * @tail: extra tailroom the caller uses as scratch (not sent)
 * @skb: the skb: @len bytes put, headroom reserved
 *
 * Takes the UDP socket (m2msec_udp_get()) and a route; both are released
 * by m2msec_xmit() or m2msec_xmit_abort().
 *
 * Return: 0, or ENOTCONN (no UDP socket), EMSGSIZE (a record larger than
 * the path MTU, a GSO packet over 64 KiB), EOPNOTSUPP (a GSO packet on a
 * route that cannot carry one: IPsec, or the UDP socket's own path),
 * EAGAIN (send buffer full), a route lookup error (ENETUNREACH,
 * EHOSTUNREACH, EACCES for broadcast), ENOMEM.
 */
int m2msec_xmit_alloc(struct m2msec_assoc *a, struct m2msec_route *r,
		      unsigned int len, unsigned int seg, unsigned int tail,
		      struct sk_buff **skb)
{
	struct m2msec_dtls_sock *ds = a->ds;
	unsigned int head = 0;
	struct sk_buff *s;
	struct sock *sk;
	int err;

	memset(r, 0, sizeof(*r));
	r->sock = m2msec_udp_get(ds);
	if (!r->sock)
		return -ENOTCONN;
	sk = r->sock->sk;
	r->seg = seg;
	r->peer_seq = m2msec_assoc_peer(a, &r->peer);
	err = -EOPNOTSUPP;
	if (m2msec_xmit_direct(sk, &r->peer)) {
		err = sk->sk_family == AF_INET ? m2msec_route4(a, sk, r) :
						 m2msec_route6(a, sk, r);
		if (err)
			goto err_put;
		head = r->net_hdr + sizeof(struct udphdr);
		err = -EMSGSIZE;
		if (seg + head > dst_mtu(r->dst) ||
		    (seg < len && len + head > IP_MAX_MTU))
			goto err_put;
		err = -EOPNOTSUPP;
		if (seg < len && dst_xfrm(r->dst))
			goto err_put;
		head += LL_RESERVED_SPACE(r->dst->dev) + r->dst->header_len;
	} else if (seg < len) {
		goto err_put;
	}
	s = sock_alloc_send_skb(sk, head + len + tail, 1, &err);
	if (!s)
		goto err_put;
	skb_reserve(s, head);
	skb_put(s, len);
	*skb = s;
	return 0;

err_put:
	m2msec_xmit_abort(a, r);
	return err;
}

/**
 * m2msec_xmit_abort() - give back what m2msec_xmit_alloc() took
 * @a: association
 * @r: its route state (the skb is the caller's to free)
 */
void m2msec_xmit_abort(struct m2msec_assoc *a, struct m2msec_route *r)
{
	dst_release(r->dst);
	r->dst = NULL;
	if (r->sock)
		m2msec_udp_put(a->ds);
	r->sock = NULL;
}

/**
 * m2msec_xmit() - send a record built by the caller
 * @a: association
 * @r: route state from m2msec_xmit_alloc()
 * @skb: the record (consumed)
 *
 * Return: 0 or a negative errno of the local output path (the packet is
 * gone either way).
 */
int m2msec_xmit(struct m2msec_assoc *a, struct m2msec_route *r,
		struct sk_buff *skb)
{
	struct sock *sk = r->sock->sk;
	struct dst_entry *dst = r->dst;
	int err = 0;

	if (!dst) {
		/* A peer the UDP socket maps (IPv4 on IPv6): its own path. */
		err = m2msec_udp_send(a->ds, &r->peer, skb->data, skb->len);
		consume_skb(skb);
		goto out;
	}
	r->dst = NULL;	/* the transmit helpers take the reference */
	if (r->seg < skb->len) {
		/* As udp_send_skb() builds a UDP_SEGMENT packet. */
		skb_shinfo(skb)->gso_size = r->seg;
		skb_shinfo(skb)->gso_type = SKB_GSO_UDP_L4;
		skb_shinfo(skb)->gso_segs = DIV_ROUND_UP(skb->len, r->seg);
		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_start = skb->data - sizeof(struct udphdr) - skb->head;
		skb->csum_offset = offsetof(struct udphdr, check);
	}
	skb->mark = READ_ONCE(sk->sk_mark);
	skb->priority = READ_ONCE(sk->sk_priority);
	local_bh_disable();
	if (sk->sk_family == AF_INET)
		udp_tunnel_xmit_skb(container_of(dst, struct rtable, dst), sk, skb, r->saddr.v4,
				    r->peer.sin.sin_addr.s_addr, 0,
				    ip4_dst_hoplimit(dst), htons(IP_DF),
				    inet_sk(sk)->inet_sport,
				    r->peer.sin.sin_port, false, false);
#if IS_ENABLED(CONFIG_IPV6)
	else
		udp_tunnel6_xmit_skb(dst, sk, skb, NULL, &r->saddr.v6,
				     &r->peer.sin6.sin6_addr, 0,
				     ip6_dst_hoplimit(dst), 0,
				     inet_sk(sk)->inet_sport,
				     r->peer.sin6.sin6_port, false);
#endif
	local_bh_enable();
out:
	m2msec_xmit_abort(a, r);
	return err;
}
