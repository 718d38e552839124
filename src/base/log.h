/* log.h: one-line log records on stderr (access log, errors, mail in dev mode) */
#ifndef KQ_LOG_H
#define KQ_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level l);
__attribute__((format(printf, 2, 3)))
void log_msg(enum log_level l, const char *fmt, ...);

#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Our own bug: logs where, aborts in debug builds (NDEBUG unset). */
#define KQ_BUG(msg) kq_bug(__FILE__, __LINE__, (msg))
void kq_bug(const char *file, int line, const char *msg);

#endif
