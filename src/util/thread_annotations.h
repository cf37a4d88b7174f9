// Clang thread-safety annotations (-Wthread-safety); no-ops elsewhere.
#ifndef SHALE_UTIL_THREAD_ANNOTATIONS_H_
#define SHALE_UTIL_THREAD_ANNOTATIONS_H_

#if defined(__clang__)
#define SHALE_TSA(x) __attribute__((x))
#else
#define SHALE_TSA(x)
#endif

#define CAPABILITY(x) SHALE_TSA(capability(x))
#define SCOPED_CAPABILITY SHALE_TSA(scoped_lockable)
#define GUARDED_BY(x) SHALE_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) SHALE_TSA(pt_guarded_by(x))
#define ACQUIRE(...) SHALE_TSA(acquire_capability(__VA_ARGS__))
#define RELEASE(...) SHALE_TSA(release_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) SHALE_TSA(acquire_shared_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) SHALE_TSA(release_shared_capability(__VA_ARGS__))
#define REQUIRES(...) SHALE_TSA(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) SHALE_TSA(requires_shared_capability(__VA_ARGS__))
#define EXCLUDES(...) SHALE_TSA(locks_excluded(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) SHALE_TSA(assert_capability(x))
#define NO_THREAD_SAFETY_ANALYSIS SHALE_TSA(no_thread_safety_analysis)

#endif  // SHALE_UTIL_THREAD_ANNOTATIONS_H_
