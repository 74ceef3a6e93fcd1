//! What this process has used: CPU time, context switches and peak memory.

/// What this process has used so far: CPU time (user + system, all
/// threads) and context switches (voluntary or not), which count how often
/// its threads stopped to hand work to one another or to wait.
#[derive(Clone, Copy)]
pub struct Usage {
    pub cpu_seconds: f64,
    /// NaN when the kernel would not say (printed as `null`).
    pub context_switches: f64,
}

impl Usage {
    pub fn now() -> Self {
        // SAFETY: getrusage only writes into the zeroed struct it is given.
        let usage = unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
                return Usage {
                    cpu_seconds: f64::NAN,
                    context_switches: f64::NAN,
                };
            }
            usage
        };
        let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        Usage {
            cpu_seconds: seconds(usage.ru_utime) + seconds(usage.ru_stime),
            context_switches: (usage.ru_nvcsw + usage.ru_nivcsw) as f64,
        }
    }
}

/// Peak resident memory of this process, from the kernel's high-water mark.
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_owned();
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}
