// SPDX-License-Identifier: GPL-2.0
/*
 * Association control channel: the post-handshake control plane of one
 * DTLS association, held by the handshake daemon.
 *
 *   peer --record--> rx.c: not application data --> channel queue --> read()
 *   daemon write() --> current TX epoch, next sequence number --> peer
 *   M2MSEC_CMD_ASSOC_REKEY, AEAD limit near --> event in the queue --> read()
 *
 * The daemon answers what DTLS 1.3 needs after the handshake (RFC 9147
 * section 7 ACKs, section 8 KeyUpdate, NewSessionTicket) and reacts to
 * alerts; the kernel only carries records.  Keys still change only through
 * ASSOC_SET, which accepts the channel descriptor to name the association.
 *
 * Lifetime: the association holds one reference on the channel (a->ctrl,
 * set before the association is published and never changed), the file
 * another.  The file holds a reference on the association and on its
 * socket, so writes can reach the UDP socket until the socket is closed.
 * Closing the file only stops the diversion: records then go back to the
 * socket's control queue.  Unlinking the association (ASSOC_DEL, socket
 * close) marks the channel gone: what is queued can still be read, then
 * read() returns 0.
 *
 * Locking: c->lock (spinlock, BH-safe) protects the queue and the flags;
 * writers of records hold ds->udp_lock like the handshake channel, so the
 * socket's release cannot take the UDP socket away under them.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/genetlink.h>

#include "dtls.h"
#include "record.h"

/* RFC 8446 5.1: at most 2^14 bytes of plaintext per record. */
#define M2MSEC_ACTRL_PT_MAX	16384

struct m2msec_actrl {
	refcount_t ref;
	spinlock_t lock;		/* queue, open, gone, last */
	struct sk_buff_head queue;
	wait_queue_head_t wq;
	struct m2msec_assoc *a;		/* the file's reference */
	bool open;			/* a file holds the channel */
	bool gone;			/* the association was unlinked */
	bool has_last;
	struct m2msec_ctrl_recno last;	/* last record sent by write() */
};

static const struct file_operations m2msec_actrl_fops;

/**
 * m2msec_actrl_put() - drop a reference to a channel
 * @c: channel, may be NULL
 */
void m2msec_actrl_put(struct m2msec_actrl *c)
{
	if (!c || !refcount_dec_and_test(&c->ref))
		return;
	skb_queue_purge(&c->queue);
	kfree(c);
}

static u32 m2msec_actrl_max(struct m2msec_assoc *a)
{
	return READ_ONCE(m2msec_net(sock_net(&a->ds->sk))->cfg.ctrl_queue_max);
}

/*
 * Queue @skb (header already in place) on the open channel of @a.
 * Returns -ENOTCONN when no file holds the channel (@skb is left to the
 * caller), else consumes @skb: 0, or -ENOBUFS when the queue is full.
 */
static int m2msec_actrl_enqueue(struct m2msec_assoc *a, struct sk_buff *skb)
{
	struct m2msec_actrl *c = a->ctrl;
	int err = 0;

	spin_lock_bh(&c->lock);
	if (!c->open || c->gone)
		err = -ENOTCONN;
	else if (skb_queue_len(&c->queue) >= m2msec_actrl_max(a))
		err = -ENOBUFS;
	else
		__skb_queue_tail(&c->queue, skb);
	spin_unlock_bh(&c->lock);
	if (err == -ENOTCONN)
		return err;
	if (err) {
		m2msec_assoc_count(a, M2MSEC_A_STAT_CTRL_DROP, 1);
		kfree_skb(skb);
		return err;
	}
	m2msec_assoc_count(a, M2MSEC_A_STAT_CTRL_QUEUED, 1);
	wake_up_interruptible_all(&c->wq);
	return 0;
}

static struct sk_buff *m2msec_actrl_skb(const struct m2msec_ctrl_hdr *h,
					const void *data, gfp_t gfp)
{
	struct sk_buff *skb = alloc_skb(sizeof(*h) + h->len, gfp);

	if (!skb)
		return NULL;
	skb_put_data(skb, h, sizeof(*h));
	if (h->len)
		skb_put_data(skb, data, h->len);
	return skb;
}

/**
 * m2msec_actrl_queue() - give a control record to the association's channel
 * @a: association
 * @rec: plaintext (@decrypted) or the whole record as received
 * @len: its length
 * @type: content type (0 when unknown: a protected DTLS 1.3 record)
 * @decrypted: @rec is authenticated plaintext
 * @epoch: the record's epoch
 * @seq: its sequence number
 *
 * Process context (the receive path, under ds->rx_lock).
 *
 * Return: true when the channel took the record (queued or dropped and
 * counted); false when no daemon holds a channel for @a.
 */
bool m2msec_actrl_queue(struct m2msec_assoc *a, const u8 *rec,
			unsigned int len, u8 type, bool decrypted, u64 epoch,
			u64 seq)
{
	struct m2msec_ctrl_hdr h = {
		.type = type, .flags = decrypted ? M2MSEC_CTRL_F_DECRYPTED : 0,
		.len = len, .epoch = epoch, .seq = seq,
	};
	struct sk_buff *skb;

	if (!a->ctrl || !READ_ONCE(a->ctrl->open))
		return false;
	skb = m2msec_actrl_skb(&h, rec, GFP_KERNEL_ACCOUNT);
	if (!skb) {
		m2msec_assoc_count(a, M2MSEC_A_STAT_CTRL_DROP, 1);
		return true;
	}
	if (m2msec_actrl_enqueue(a, skb) == -ENOTCONN) {
		kfree_skb(skb);
		return false;
	}
	return true;
}

/**
 * m2msec_actrl_event() - queue an event for the daemon
 * @a: association
 * @event: enum m2msec_ctrl_event
 * @epoch: epoch concerned
 * @count: M2MSEC_CTRL_EV_LIMIT: records sent in it
 *
 * Any context but hard interrupts.
 *
 * Return: 0, -ENOTCONN (no channel), -ENOBUFS (queue full), -ENOMEM.
 */
int m2msec_actrl_event(struct m2msec_assoc *a, u16 event, u64 epoch,
		       u64 count)
{
	struct m2msec_ctrl_hdr h = { .event = event, .epoch = epoch,
				     .seq = count };
	struct sk_buff *skb;
	int err;

	if (!a->ctrl || !READ_ONCE(a->ctrl->open))
		return -ENOTCONN;
	skb = m2msec_actrl_skb(&h, NULL, GFP_ATOMIC);
	if (!skb)
		return -ENOMEM;
	err = m2msec_actrl_enqueue(a, skb);
	if (err == -ENOTCONN)
		kfree_skb(skb);
	return err;
}

/**
 * m2msec_actrl_hangup() - the association of @c left its socket
 * @c: channel, may be NULL
 *
 * Queued records stay readable; then read() returns 0.
 */
void m2msec_actrl_hangup(struct m2msec_actrl *c)
{
	if (!c)
		return;
	spin_lock_bh(&c->lock);
	WRITE_ONCE(c->gone, true);
	spin_unlock_bh(&c->lock);
	wake_up_interruptible_all(&c->wq);
}

/* --- the file -------------------------------------------------------- */

static ssize_t m2msec_actrl_read(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *f = iocb->ki_filp;
	struct m2msec_actrl *c = f->private_data;
	struct sk_buff *skb;
	size_t n;
	bool gone;
	int err;

	if (iov_iter_count(to) < sizeof(struct m2msec_ctrl_hdr))
		return -EINVAL;
	for (;;) {
		spin_lock_bh(&c->lock);
		skb = __skb_dequeue(&c->queue);
		gone = c->gone;
		spin_unlock_bh(&c->lock);
		if (skb || gone)
			break;
		if ((f->f_flags & O_NONBLOCK) || (iocb->ki_flags & IOCB_NOWAIT))
			return -EAGAIN;
		err = wait_event_interruptible(c->wq,
				!skb_queue_empty_lockless(&c->queue) ||
				READ_ONCE(c->gone));
		if (err)
			return err;
	}
	if (!skb)
		return 0;
	n = min_t(size_t, iov_iter_count(to), skb->len);
	err = skb_copy_datagram_iter(skb, 0, to, n);
	consume_skb(skb);
	return err ?: n;
}

static bool m2msec_actrl_type_ok(u8 type)
{
	return type == M2MSEC_CTRL_TYPE_ALERT ||
	       type == M2MSEC_CTRL_TYPE_HANDSHAKE ||
	       type == M2MSEC_CTRL_TYPE_ACK;
}

static ssize_t m2msec_actrl_write(struct kiocb *iocb, struct iov_iter *from)
{
	struct m2msec_actrl *c = iocb->ki_filp->private_data;
	struct m2msec_assoc *a = c->a;
	struct m2msec_dtls_sock *ds = a->ds;
	size_t len = iov_iter_count(from);
	struct m2msec_ctrl_hdr h;
	struct m2msec_ctrl_recno rn;
	void *buf;
	int err;

	if (len < sizeof(h))
		return -EINVAL;
	if (len > sizeof(h) + M2MSEC_ACTRL_PT_MAX)
		return -EMSGSIZE;
	if (!copy_from_iter_full(&h, sizeof(h), from))
		return -EFAULT;
	if (!m2msec_actrl_type_ok(h.type) || h.flags || h.event || h.epoch ||
	    h.seq || h.len != len - sizeof(h))
		return -EINVAL;
	buf = kmalloc(h.len ?: 1, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (!copy_from_iter_full(buf, h.len, from)) {
		err = -EFAULT;
		goto out;
	}
	mutex_lock(&ds->udp_lock);
	if (READ_ONCE(ds->closing) || READ_ONCE(a->dead))
		err = -EPIPE;
	else
		err = m2msec_tx_control(a, h.type, buf, h.len, &rn.epoch,
					&rn.seq);
	mutex_unlock(&ds->udp_lock);
	if (!err) {
		spin_lock_bh(&c->lock);
		c->last = rn;
		c->has_last = true;
		spin_unlock_bh(&c->lock);
	}
out:
	kfree_sensitive(buf);
	return err ?: len;
}

static long m2msec_actrl_ioctl(struct file *f, unsigned int cmd,
			       unsigned long arg)
{
	struct m2msec_actrl *c = f->private_data;
	struct m2msec_ctrl_recno rn;
	bool has;

	if (cmd != M2MSEC_CTRL_LAST_TX)
		return -ENOTTY;
	spin_lock_bh(&c->lock);
	rn = c->last;
	has = c->has_last;
	spin_unlock_bh(&c->lock);
	if (!has)
		return -ENODATA;
	return copy_to_user((void __user *)arg, &rn, sizeof(rn)) ? -EFAULT : 0;
}

static __poll_t m2msec_actrl_poll(struct file *f, poll_table *wait)
{
	struct m2msec_actrl *c = f->private_data;
	__poll_t mask = 0;

	poll_wait(f, &c->wq, wait);
	if (!skb_queue_empty_lockless(&c->queue))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(c->gone))
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	else
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static int m2msec_actrl_release(struct inode *inode, struct file *f)
{
	struct m2msec_actrl *c = f->private_data;
	struct m2msec_assoc *a = c->a;
	struct sock *sk = &a->ds->sk;
	struct sk_buff_head q;

	__skb_queue_head_init(&q);
	spin_lock_bh(&c->lock);
	WRITE_ONCE(c->open, false);
	skb_queue_splice_init(&c->queue, &q);
	spin_unlock_bh(&c->lock);
	__skb_queue_purge(&q);
	m2msec_assoc_put(a);
	sock_put(sk);
	m2msec_actrl_put(c);
	return 0;
}

static const struct file_operations m2msec_actrl_fops = {
	.owner		= THIS_MODULE,
	.read_iter	= m2msec_actrl_read,
	.write_iter	= m2msec_actrl_write,
	.unlocked_ioctl	= m2msec_actrl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.poll		= m2msec_actrl_poll,
	.release	= m2msec_actrl_release,
	.llseek		= noop_llseek,
};

/**
 * m2msec_actrl_attach() - a control channel for an association
 * @a: an association not yet published (a->ctrl is NULL)
 *
 * Return: the channel's file (holding @a and its socket), or an ERR_PTR.
 */
struct file *m2msec_actrl_attach(struct m2msec_assoc *a)
{
	struct m2msec_actrl *c;
	struct file *f;

	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return ERR_PTR(-ENOMEM);
	refcount_set(&c->ref, 1);	/* the file's */
	spin_lock_init(&c->lock);
	skb_queue_head_init(&c->queue);
	init_waitqueue_head(&c->wq);
	c->a = a;
	c->open = true;
	f = anon_inode_getfile("[m2msec-assoc]", &m2msec_actrl_fops, c,
			       O_RDWR);
	if (IS_ERR(f)) {
		kfree(c);
		return f;
	}
	refcount_inc(&a->ref);
	sock_hold(&a->ds->sk);
	refcount_inc(&c->ref);		/* the association's */
	a->ctrl = c;
	return f;
}

/* --- netlink ---------------------------------------------------------- */

/* The association a control channel descriptor of the caller names. */
static struct m2msec_assoc *m2msec_actrl_by_fd(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[M2MSEC_A_ASSOC_CTRL_FD];
	struct m2msec_assoc *a = ERR_PTR(-EBADF);
	struct m2msec_actrl *c;
	struct file *f;

	f = fget(nla_get_u32(attr));
	if (f && f->f_op == &m2msec_actrl_fops) {
		c = f->private_data;
		a = c->a;
		refcount_inc(&a->ref);
		sock_hold(&a->ds->sk);
	}
	if (f)
		fput(f);
	if (IS_ERR(a))
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "not an association control channel");
	return a;
}

/* ASSOC_ID (and ASSOC_SOCK_INO) among every DTLS socket of the namespace. */
static struct m2msec_assoc *m2msec_actrl_by_id(struct sk_buff *skb,
					       struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct m2msec_net *mn = m2msec_net(net);
	struct nlattr *ino_attr = info->attrs[M2MSEC_A_ASSOC_SOCK_INO];
	struct m2msec_assoc *a, *found = NULL;
	struct m2msec_dtls_sock *ds;
	unsigned int n = 0;
	u32 id;

	if (GENL_REQ_ATTR_CHECK(info, M2MSEC_A_ASSOC_ID))
		return ERR_PTR(-EINVAL);
	if (!netlink_ns_capable(skb, net->user_ns, CAP_NET_ADMIN))
		return ERR_PTR(-EPERM);
	id = nla_get_u32(info->attrs[M2MSEC_A_ASSOC_ID]);
	mutex_lock(&mn->socks_lock);
	list_for_each_entry(ds, &mn->socks, net_node) {
		if (ino_attr && sock_i_ino(&ds->sk) != nla_get_u64(ino_attr))
			continue;
		a = m2msec_assoc_by_id(ds, id);
		if (!a)
			continue;
		if (n++) {
			m2msec_assoc_put(a);
			continue;
		}
		found = a;
		sock_hold(&ds->sk);
	}
	mutex_unlock(&mn->socks_lock);
	if (n > 1) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[M2MSEC_A_ASSOC_ID],
				    "several sockets have an association with this id; name the socket (ASSOC_SOCK_INO)");
		m2msec_actrl_nl_put(found);
		return ERR_PTR(-ENOTUNIQ);
	}
	if (!found) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[M2MSEC_A_ASSOC_ID],
				    "no such association in this network namespace");
		return ERR_PTR(-ENOENT);
	}
	return found;
}

/**
 * m2msec_actrl_nl_find() - the association a command names without SOCK_FD
 * @skb: the request (for the capability check)
 * @info: ASSOC_CTRL_FD, or ASSOC_ID (+ ASSOC_SOCK_INO) with CAP_NET_ADMIN
 *
 * A control channel descriptor names its association for whoever holds it,
 * as a socket descriptor does.  An id alone needs CAP_NET_ADMIN in the
 * namespace, since it reaches any socket.
 *
 * Return: the association with a reference on it and on its socket (drop
 * both with m2msec_actrl_nl_put()), or an ERR_PTR.
 */
struct m2msec_assoc *m2msec_actrl_nl_find(struct sk_buff *skb,
					  struct genl_info *info)
{
	if (info->attrs[M2MSEC_A_ASSOC_CTRL_FD])
		return m2msec_actrl_by_fd(info);
	return m2msec_actrl_by_id(skb, info);
}

/**
 * m2msec_actrl_nl_put() - release what m2msec_actrl_nl_find() returned
 * @a: association, may be NULL
 */
void m2msec_actrl_nl_put(struct m2msec_assoc *a)
{
	if (!a)
		return;
	sock_put(&a->ds->sk);
	m2msec_assoc_put(a);
}

/**
 * m2msec_actrl_rekey() - M2MSEC_CMD_ASSOC_REKEY on one association
 * @a: association (its socket's assoc_lock held)
 * @info: request, for extended ack messages
 *
 * Return: 0 or a negative errno (see enum m2msec_cmd).
 */
int m2msec_actrl_rekey(struct m2msec_assoc *a, struct genl_info *info)
{
	struct m2msec_epoch *ep;
	u64 epoch = 0;
	int err;

	if (a->version != M2MSEC_DTLS_1_3) {
		NL_SET_ERR_MSG(info->extack,
			       "DTLS 1.2 has no key update; a new handshake is needed");
		return -EOPNOTSUPP;
	}
	ep = m2msec_epoch_get_rcu(&a->tx);
	if (ep)
		epoch = ep->epoch;
	m2msec_epoch_put(ep);
	err = m2msec_actrl_event(a, M2MSEC_CTRL_EV_REKEY, epoch, 0);
	if (err == -ENOTCONN)
		NL_SET_ERR_MSG(info->extack,
			       "no handshake daemon holds this association's control channel");
	else if (err == -ENOBUFS)
		NL_SET_ERR_MSG(info->extack, "the control channel's queue is full");
	return err;
}
