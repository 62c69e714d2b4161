/* shared_conn: connecting to Redis (timeouts, AUTH, SELECT), the server-side scripts that
 * make every shared change atomic, and the key namespace of a deployment.
 *
 * Why Lua: a script runs atomically on the server (https://redis.io/docs/latest/develop/
 * interact/programmability/eval-intro/: "Redis guarantees the script's atomic execution"),
 * so reading a bucket, checking it and booking it is one step no other instance can split:
 * two instances booking the last unit cannot both get it. Scripts read the server's clock
 * (TIME) so that machines whose clocks differ still refill the same bucket at one rate; on
 * Redis 6 that needs effects replication (redis.replicate_commands), the default from 7.
 *
 * LiteLLM keeps a deployment's cooldown in its DualCache (in memory and Redis) as a value with
 * the exception, status and cooldown time, expiring with the cooldown
 * (litellm/router_utils/cooldown_cache.py, CooldownCache), and counts usage per minute with
 * increments; the marks here follow the same idea (reason and end, a TTL), but a booking is a
 * check and a take in one script, never a read followed by an increment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "shared_priv.h"

/* Buckets of one deployment: KEYS[1] bucket hash, KEYS[2] marks hash, KEYS[3] probe key,
 * KEYS[4] today's counters, KEYS[5] leases (a sorted set: member "host:pid|n", score its
 * end). ARGV: mode ("book" checks and may refuse, "adjust" applies, "peek" with no buckets
 * only reads the marks and today's count), known marks seq, probe 0/1, probe ms, concurrency
 * cap (0 = none), lease ms, lease (booking: its name; release: this instance's prefix),
 * release 0/1, n, then n times (id, limit, window ms, take, cap or ""). Replies
 * {"OK"|"FULL", level...}, {"BUSY", leases}, {"PROBE", pttl}, {"MARK", seq, fields...,
 * today, by, gone} or (peek) {"NONE", today}; today = requests booked today (the server's UTC
 * day). A booking is refused for the first reason in that order: marks, buckets, leases,
 * probe. */
static const char book_lua[] =
    "if redis.replicate_commands then pcall(redis.replicate_commands) end\n"
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local book = ARGV[1] == 'book'\n"
    "local day = KEYS[4] .. ':' .. string.format('%d', math.floor(now / 86400000))\n"
    "if book or ARGV[1] == 'peek' then\n"
    "  local seq = redis.call('HGET', KEYS[2], 'seq')\n"
    "  local today = redis.call('HGET', day, 'requests') or '0'\n"
    "  if seq and seq ~= ARGV[2] then\n"
    "    local m = redis.call('HMGET', KEYS[2], 'cd', 'cd_until', 'auth', 'quota', 'known',\n"
    "                         'q_until', 'off', 'reason', 'by', 'gone')\n"
    "    local cdl = math.max(0, (tonumber(m[2]) or 0) - now)\n"
    "    local ql = math.max(0, (tonumber(m[6]) or 0) - now)\n"
    "    return {'MARK', seq, m[1] or '0', string.format('%d', cdl), m[3] or '0', m[4] or '0',\n"
    "            m[5] or '0', string.format('%d', ql), m[7] or '0', m[8] or '', today,\n"
    "            m[9] or '', m[10] or '0'}\n"
    "  end\n"
    "  if not book then return {'NONE', today} end\n"
    "end\n"
    "local n = tonumber(ARGV[9])\n"
    "local lv, full, maxwin = {}, false, 0\n"
    "for i = 0, n - 1 do\n"
    "  local b = 10 + i * 5\n"
    "  local id, lim, win = ARGV[b], tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2])\n"
    "  local take = tonumber(ARGV[b + 3])\n"
    "  if win > maxwin then maxwin = win end\n"
    "  local s = redis.call('HMGET', KEYS[1], 'l' .. id, 'a' .. id, 'L' .. id)\n"
    "  local l, at, old = tonumber(s[1]), tonumber(s[2]), tonumber(s[3])\n"
    "  if not l or not at or not old or old <= 0 then\n"
    "    l = lim\n"
    "  else\n"
    "    if now > at then l = l + (now - at) * old / win end\n"
    "    if l > old then l = old end\n"
    "    if old ~= lim then l = lim - (old - l) end\n"
    "    if l > lim then l = lim end\n"
    "  end\n"
    "  lv[i + 1] = l\n"
    "  if book and take > 0 and l < take - 1e-6 then full = true end\n"
    "end\n"
    "if full then\n"
    "  local out = {'FULL'}\n"
    "  for i = 1, n do out[#out + 1] = string.format('%.17g', lv[i]) end\n"
    "  return out\n"
    "end\n"
    "local cap = tonumber(ARGV[5])\n"
    "if book and cap > 0 then\n"
    "  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)\n"
    "  local held = redis.call('ZCARD', KEYS[5])\n"
    "  if held >= cap then return {'BUSY', string.format('%d', held)} end\n"
    "end\n"
    "if book and ARGV[3] == '1' then\n"
    "  if not redis.call('SET', KEYS[3], '1', 'PX', ARGV[4], 'NX') then\n"
    "    return {'PROBE', string.format('%d', redis.call('PTTL', KEYS[3]))}\n"
    "  end\n"
    "end\n"
    "local out = {'OK'}\n"
    "for i = 0, n - 1 do\n"
    "  local b = 10 + i * 5\n"
    "  local id, lim = ARGV[b], tonumber(ARGV[b + 1])\n"
    "  local l = lv[i + 1] - tonumber(ARGV[b + 3])\n"
    "  if ARGV[b + 4] ~= '' then l = math.min(l, tonumber(ARGV[b + 4])) end\n"
    "  if l > lim then l = lim end\n"
    "  if l < -lim then l = -lim end\n"
    "  redis.call('HSET', KEYS[1], 'l' .. id, string.format('%.17g', l), 'a' .. id,\n"
    "             string.format('%d', now), 'L' .. id, string.format('%.17g', lim))\n"
    "  out[#out + 1] = string.format('%.17g', l)\n"
    "end\n"
    "if n > 0 then redis.call('PEXPIRE', KEYS[1], maxwin + 60000) end\n"
    "if book and cap > 0 then\n"
    "  redis.call('ZADD', KEYS[5], now + tonumber(ARGV[6]), ARGV[7])\n"
    "  redis.call('PEXPIRE', KEYS[5], tonumber(ARGV[6]) + 60000)\n"
    "end\n"
    "if ARGV[8] == '1' then\n"
    "  for _, m in ipairs(redis.call('ZRANGE', KEYS[5], 0, -1)) do\n"
    "    if string.sub(m, 1, #ARGV[7]) == ARGV[7] then\n"
    "      redis.call('ZREM', KEYS[5], m)\n"
    "      break\n"
    "    end\n"
    "  end\n"
    "end\n"
    "if book then\n"
    "  redis.call('HINCRBY', day, 'requests', 1)\n"
    "  redis.call('PEXPIRE', day, 2 * 86400000)\n"
    "end\n"
    "return out\n";

/* Marks of one deployment: KEYS[1] marks hash, KEYS[2] probe key. ARGV: cd, cd ms left,
 * auth, quota, quota known, quota ms left, off, reason, the instance that learnt them, gone.
 * Returns the new seq (server microseconds, always above the last). Publishing ends any
 * probe. Marks without an end (a disable, a quota with no known reset, a model gone) are
 * kept 30 days; the others a day past their end. */
static const char mark_lua[] =
    "if redis.replicate_commands then pcall(redis.replicate_commands) end\n"
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local old = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0') or 0\n"
    "local seq = tonumber(t[1]) * 1000000 + tonumber(t[2])\n"
    "if seq <= old then seq = old + 1 end\n"
    "local s = string.format('%.0f', seq)\n"
    "local cdl, ql = tonumber(ARGV[2]), tonumber(ARGV[6])\n"
    "redis.call('HSET', KEYS[1], 'seq', s, 'cd', ARGV[1], 'cd_until',\n"
    "           string.format('%d', now + cdl), 'auth', ARGV[3], 'quota', ARGV[4], 'known',\n"
    "           ARGV[5], 'q_until', string.format('%d', now + ql), 'off', ARGV[7],\n"
    "           'reason', ARGV[8], 'by', ARGV[9], 'gone', ARGV[10])\n"
    "local keep = math.max(cdl, ql) + 86400000\n"
    "if ARGV[7] == '1' or ARGV[10] == '1' or (ARGV[4] == '1' and ARGV[5] ~= '1') then\n"
    "  keep = 30 * 86400000\n"
    "end\n"
    "redis.call('PEXPIRE', KEYS[1], keep)\n"
    "redis.call('DEL', KEYS[2])\n"
    "return s\n";

/* Heartbeat: KEYS[1] the registry hash. ARGV: this instance, its line ("rpm"), stale ms.
 * Writes "now|line", drops instances not heard of within stale ms, returns the rest as
 * {field, age ms, line, ...}. */
static const char beat_lua[] =
    "if redis.replicate_commands then pcall(redis.replicate_commands) end\n"
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local stale = tonumber(ARGV[3])\n"
    "if ARGV[2] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else\n"
    "  redis.call('HSET', KEYS[1], ARGV[1], string.format('%d', now) .. '|' .. ARGV[2]) end\n"
    "redis.call('PEXPIRE', KEYS[1], stale * 4)\n"
    "local all = redis.call('HGETALL', KEYS[1])\n"
    "local out = {}\n"
    "for i = 1, #all, 2 do\n"
    "  local v = all[i + 1]\n"
    "  local bar = string.find(v, '|', 1, true)\n"
    "  local at = bar and tonumber(string.sub(v, 1, bar - 1)) or 0\n"
    "  if now - at > stale then redis.call('HDEL', KEYS[1], all[i]) else\n"
    "    out[#out + 1] = all[i]\n"
    "    out[#out + 1] = string.format('%d', now - at)\n"
    "    out[#out + 1] = string.sub(v, bar + 1)\n"
    "  end\n"
    "end\n"
    "return out\n";

static struct timeval tv_ms(double ms)
{
    long us = (long)(ms * 1000.0);
    if (us < 100)
        us = 100;
    return (struct timeval){.tv_sec = us / 1000000, .tv_usec = us % 1000000};
}

static bool reply_ok(redisContext *c, redisReply *r, char *err, size_t cap, const char *what)
{
    if (!r) {
        snprintf(err, cap, "%s: %s", what, c->errstr[0] ? c->errstr : "no answer");
        return false;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        /* Redis error texts never echo a password back (AUTH says WRONGPASS / invalid) */
        snprintf(err, cap, "%s: %.100s", what, r->str);
        freeReplyObject(r);
        return false;
    }
    return true;
}

redisContext *shared_connect(const struct shared_settings *s, double timeout_ms, double cmd_ms,
                             char *err, size_t cap)
{
    redisContext *c = redisConnectWithTimeout(s->host, s->port, tv_ms(timeout_ms));
    if (!c || c->err) {
        snprintf(err, cap, "cannot connect to %s: %s", s->where, c ? c->errstr : "out of memory");
        redisFree(c);
        return NULL;
    }
    redisSetTimeout(c, tv_ms(cmd_ms));
    if (s->password[0]) {
        const char *argv[] = {"AUTH", s->password};
        redisReply *r = redisCommandArgv(c, 2, argv, NULL);
        if (!reply_ok(c, r, err, cap, "AUTH refused")) {
            redisFree(c);
            return NULL;
        }
        freeReplyObject(r);
    }
    if (s->db) {
        redisReply *r = redisCommand(c, "SELECT %d", s->db);
        if (!reply_ok(c, r, err, cap, "SELECT")) {
            redisFree(c);
            return NULL;
        }
        freeReplyObject(r);
    }
    return c;
}

static int load(redisContext *c, const char *src, char *sha, char *err, size_t cap)
{
    const char *argv[] = {"SCRIPT", "LOAD", src};
    redisReply *r = redisCommandArgv(c, 3, argv, NULL);
    if (!reply_ok(c, r, err, cap, "SCRIPT LOAD"))
        return -1;
    int rc = r->type == REDIS_REPLY_STRING && r->len < SHARED_SHA_LEN ? 0 : -1;
    if (rc == 0)
        memcpy(sha, r->str, r->len + 1);
    else
        snprintf(err, cap, "SCRIPT LOAD: unexpected reply");
    freeReplyObject(r);
    return rc;
}

int shared_load_scripts(redisContext *c, char *book, char *mark, char *beat, char *err, size_t cap)
{
    if (load(c, book_lua, book, err, cap) || load(c, mark_lua, mark, err, cap))
        return -1;
    return beat ? load(c, beat_lua, beat, err, cap) : 0;
}

void shared_namespace(const struct deployment_cfg *dep, char out[SHARED_NS_LEN])
{
    unsigned char md[SHA256_LEN];
    struct sha256 x;
    const char *parts[] = {dep->api_base, dep->model, dep->api_key};
    sha256_init(&x);
    for (size_t i = 0; i < 3; i++) {
        const char *p = parts[i] ? parts[i] : "";
        sha256_update(&x, p, strlen(p) + 1); /* the NUL separates the parts */
    }
    sha256_final(&x, md);
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void shared_key(char *out, size_t cap, const char ns[SHARED_NS_LEN], const char *suffix)
{
    snprintf(out, cap, "sb:%s:%s", ns, suffix);
}
