// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake channel: the descriptor HS_ACCEPT installs in the daemon.
 *
 *   read()   the oldest datagram the peer sent that the daemon has not read
 *            (one datagram per call, truncated to the buffer); EAGAIN or
 *            blocking when none; 0 once the request is finished
 *   write()  one datagram to the peer, from the socket's UDP address
 *   poll()   EPOLLIN when a datagram is queued or the request finished
 *            (then also EPOLLRDHUP), EPOLLOUT while the socket is open
 *   close()  before HS_DONE: the handshake fails with ECONNABORTED
 *
 * A listener's channel (role M2MSEC_HS_LISTENER) reads and writes
 * datagrams with a struct m2msec_hs_dgram header (hs_listen.c); closing it
 * leaves the listener to the next daemon.
 *
 * The file holds a reference on the request, the request one on the
 * socket: the channel stays valid when the application closes its socket
 * (write() then fails with EPIPE).
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "handshake.h"

/**
 * m2msec_hs_chan_next() - the next datagram for a channel reader
 * @req: the channel's request
 * @iocb: the read (non-blocking or not)
 * @dequeue: takes one datagram off the queue this channel reads; sets
 *	its bool when the request is done and nothing is left
 *
 * Waits, unless the read is non-blocking, until a datagram is queued or
 * the request is done.
 *
 * Return: a datagram, NULL at the end (request done), or ERR_PTR(-EAGAIN)
 * or ERR_PTR(-ERESTARTSYS).
 */
struct sk_buff *m2msec_hs_chan_next(struct m2msec_hs_req *req,
				    struct kiocb *iocb,
				    struct sk_buff *(*dequeue)(struct m2msec_hs_req *,
							       bool *))
{
	struct sk_buff *skb;
	bool done;
	int err;

	for (;;) {
		skb = dequeue(req, &done);
		if (skb || done)
			return skb;
		if ((iocb->ki_filp->f_flags & O_NONBLOCK) ||
		    (iocb->ki_flags & IOCB_NOWAIT))
			return ERR_PTR(-EAGAIN);
		err = wait_event_interruptible(req->wq,
				!m2msec_hs_queue_empty(req) ||
				READ_ONCE(req->state) == M2MSEC_HS_DONE);
		if (err)
			return ERR_PTR(err);
	}
}

static ssize_t m2msec_hs_chan_read(struct kiocb *iocb, struct iov_iter *to)
{
	struct m2msec_hs_req *req = iocb->ki_filp->private_data;
	struct sk_buff *skb;
	size_t n;
	int err;

	if (req->role == M2MSEC_HS_LISTENER)
		return m2msec_hs_listen_read(req, iocb, to);
	skb = m2msec_hs_chan_next(req, iocb, m2msec_hs_dequeue);
	if (IS_ERR_OR_NULL(skb))
		return PTR_ERR(skb);
	n = min_t(size_t, iov_iter_count(to), skb->len);
	err = skb_copy_datagram_iter(skb, 0, to, n);
	consume_skb(skb);
	return err ?: n;
}

static ssize_t m2msec_hs_chan_write(struct kiocb *iocb, struct iov_iter *from)
{
	struct m2msec_hs_req *req = iocb->ki_filp->private_data;
	struct m2msec_dtls_sock *ds = req->ds;
	size_t len = iov_iter_count(from);
	void *buf;
	int err;

	if (req->role == M2MSEC_HS_LISTENER)
		return m2msec_hs_listen_write(req, from);
	if (!len)
		return -EINVAL;
	if (len > M2MSEC_HS_DGRAM_MAX)
		return -EMSGSIZE;
	buf = kvmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (!copy_from_iter_full(buf, len, from)) {
		err = -EFAULT;
		goto out;
	}
	/* udp_lock keeps release from taking the UDP socket away. */
	mutex_lock(&ds->udp_lock);
	err = READ_ONCE(ds->closing) ? -EPIPE :
	      m2msec_udp_send(ds, &req->peer, buf, len);
	mutex_unlock(&ds->udp_lock);
out:
	kvfree(buf);
	return err ?: len;
}

static __poll_t m2msec_hs_chan_poll(struct file *f, poll_table *wait)
{
	struct m2msec_hs_req *req = f->private_data;
	__poll_t mask = 0;

	poll_wait(f, &req->wq, wait);
	if (!READ_ONCE(req->ds->closing))
		mask |= EPOLLOUT | EPOLLWRNORM;
	if (!m2msec_hs_queue_empty(req))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(req->state) == M2MSEC_HS_DONE)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	return mask;
}

static int m2msec_hs_chan_release(struct inode *inode, struct file *f)
{
	struct m2msec_hs_req *req = f->private_data;

	if (!req)
		return 0;
	if (req->role == M2MSEC_HS_LISTENER)
		m2msec_hs_listen_detach(req);
	else
		m2msec_hs_complete(req, -ECONNABORTED, false,
				   M2MSEC_A_STAT_HS_FAILED);
	m2msec_hs_put(req);
	return 0;
}

static const struct file_operations m2msec_hs_chan_fops = {
	.owner		= THIS_MODULE,
	.read_iter	= m2msec_hs_chan_read,
	.write_iter	= m2msec_hs_chan_write,
	.poll		= m2msec_hs_chan_poll,
	.release	= m2msec_hs_chan_release,
	.llseek		= noop_llseek,
};

/**
 * m2msec_hs_chan_get() - the request of a channel file
 * @f: any file
 *
 * Return: the request with a new reference, or NULL when @f is no
 * handshake channel.
 */
struct m2msec_hs_req *m2msec_hs_chan_get(struct file *f)
{
	struct m2msec_hs_req *req;

	if (f->f_op != &m2msec_hs_chan_fops)
		return NULL;
	req = f->private_data;
	if (req)
		refcount_inc(&req->ref);
	return req;
}

/**
 * m2msec_hs_chan_file() - a channel file for @req
 * @req: request; the file takes a reference of its own
 *
 * A file whose private_data is cleared before the last fput() leaves the
 * request alone (HS_ACCEPT's error path).
 *
 * Return: the file or an ERR_PTR.
 */
struct file *m2msec_hs_chan_file(struct m2msec_hs_req *req)
{
	struct file *f;

	refcount_inc(&req->ref);
	f = anon_inode_getfile("[m2msec-handshake]", &m2msec_hs_chan_fops, req,
			       O_RDWR);
	if (IS_ERR(f))
		m2msec_hs_put(req);
	return f;
}
