/*
 * Client/server messages.  Every message is a NetHeader followed by
 * data_len bytes of the payload of its command; the generated checks
 * (scoutfs_net_msg_invalid() in the module, netMessageInvalid() in the
 * utilities) refuse a message that breaks the header's rules, whose
 * command is unknown or whose payload is not exactly its command's
 * request (or reply) struct keeping that struct's rules, before any
 * handler sees it.  An error response carries no payload.
 *
 * A command tagged @server is handled by the server
 * (scoutfs_server_<name>() in the module), @client by the client; the
 * generated dispatch tables hold those handlers, and the other side of a
 * command, or a command not handled yet, gets an EINVAL error response.
 */
import type { Flex, le16, le64, Message, None, Pad, u8 } from './types';
import type { BtreeRoot } from './btree';
import type { Key } from './key';
import type { LogTrees } from './forest';

export const NET_MAX_DATA_LEN = 1100;

/* header.flags */
export const NET_FLAG_RESPONSE = 1;

/* Errors that may cross the wire in header.error. */
export enum NetError {
  NONE = 0,
  ENOENT = 1,
  ENOMEM = 2,
  EIO = 3,
  ENOSPC = 4,
  EINVAL = 5,
  ENOLINK = 6,
}

export interface NetHeader {
  clock_sync_id: le64;
  seq: le64;
  recv_seq: le64;
  id: le64;
  /** @max NET_MAX_DATA_LEN */
  data_len: le16;
  cmd: u8;
  /** @mask NET_FLAG_RESPONSE */
  flags: u8;
  /** @max NetError.ENOLINK */
  error: u8;
  _pad: Pad<3>;
  data: Flex<u8>;
}

/* greeting.flags */
export const NET_GREETING_FLAG_FAREWELL = 1;
export const NET_GREETING_FLAG_QUORUM = 2;

/* Both sides refuse a peer whose format_hash differs from their own. */
export interface NetGreeting {
  fsid: le64;
  format_hash: le64;
  server_term: le64;
  rid: le64;
  flags: le64;
}

export interface NetInodeAlloc {
  ino: le64;
  nr: le64;
}

/*
 * A mount's log btree record (format/forest.ts): what the client
 * committed (COMMIT_LOG_TREES request, trans_seq 0), and what the server
 * hands back to write the next transaction with (the record, fresh
 * allocators, and that transaction's seq).
 */
export interface NetLogTrees {
  lt: LogTrees;
  trans_seq: le64;
}

export interface NetRoots {
  fs_root: BtreeRoot;
  logs_root: BtreeRoot;
  srch_root: BtreeRoot;
}

export interface NetSeq {
  seq: le64;
}

export enum LockMode {
  NULL = 0,
  READ = 1,
  WRITE = 2,
  WRITE_ONLY = 3,
}

export interface NetLock {
  start: Key;
  end: Key;
  write_seq: le64;
  /** @max LockMode.WRITE_ONLY */
  old_mode: u8;
  /** @max LockMode.WRITE_ONLY */
  new_mode: u8;
  _pad: Pad<6>;
}

/*
 * Is an unlinked inode in use on another mount?  The asker holds the
 * inode's WRITE lock and found no names left: a mount that has it only
 * cached lets go of it, one that has it open answers in_use.
 */
export interface NetOpenIno {
  ino: le64;
  /** @max 1 */
  in_use: u8;
  _pad: Pad<7>;
}

export interface NetStatfs {
  uuid_lo: le64;
  uuid_hi: le64;
  free_meta_blocks: le64;
  total_meta_blocks: le64;
  free_data_blocks: le64;
  total_data_blocks: le64;
  inode_count: le64;
}

export interface Messages {
  /** @server */
  GREETING: Message<0, NetGreeting, NetGreeting>;
  /**
   * A run of inode numbers (one lock group) for a client's creates.
   * @server
   */
  ALLOC_INODES: Message<1, None, NetInodeAlloc>;
  /**
   * At mount: the client's log btree record to write its first
   * transaction with.
   * @server
   */
  GET_LOG_TREES: Message<2, None, NetLogTrees>;
  /**
   * A client's commit is on disk: the server records it (in the same
   * durable super block commit, before answering), takes back the
   * allocators' remains and what the commit freed, and answers the
   * record for the next transaction.
   * @server
   */
  COMMIT_LOG_TREES: Message<3, NetLogTrees, NetLogTrees>;
  /**
   * The server asks a client to finalize its log btree at its next
   * commit (its items hold back the merge of finalized ones).
   * @client
   */
  SYNC_LOG_TREES: Message<4, None, None>;
  /**
   * The roots of the server's last durable commit, to read other
   * mounts' items with.
   * @server
   */
  GET_ROOTS: Message<5, None, NetRoots>;
  /** @server */
  GET_LAST_SEQ: Message<6, None, NetSeq>;
  /**
   * A client asks the server for a mode (old_mode held, new_mode wanted;
   * the grant answers, maybe much later), and the server asks a client
   * to go down from old_mode to new_mode (an invalidation; the client
   * answers once it has).  start..end is exactly one lock range.
   * @server
   * @client
   */
  LOCK: Message<7, NetLock, NetLock>;
  /**
   * Before deleting an unlinked inode a mount asks the server (request
   * in_use 0), which asks every other mount and answers in_use if any
   * of them still uses it; the last to let go deletes it (or the orphan
   * scan of any mount does).
   * @server
   * @client
   */
  OPEN_INO: Message<8, NetOpenIno, NetOpenIno>;
  /**
   * The server asks a client whose open transaction holds the cluster's
   * stable seq back to move on: with changes, it commits; with none, it
   * takes a fresh seq (ADVANCE_SEQ).
   * @client
   */
  NUDGE_SEQ: Message<9, None, None>;
  /**
   * A client whose open transaction is empty asks for a fresh seq for
   * it (answered at once, nothing committed), so that an idle client
   * doesn't hold the stable seq (and walk-inodes on every mount) back.
   * @server
   */
  ADVANCE_SEQ: Message<10, None, NetSeq>;
  /** @server */
  STATFS: Message<18, None, NetStatfs>;
  /** @server */
  FAREWELL: Message<19, None, None>;
}
