#pragma once

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace gatescope::commands {

// SIGTERM and SIGINT are taken by a thread with sigwait(), so no code runs in signal context:
// stopping() turns true at the first, and `on_signal(n)` runs on that thread for the n-th.
// Construct it before starting other threads: they inherit the blocked mask.
class ShutdownSignals {
 public:
  explicit ShutdownSignals(std::function<void(int)> on_signal) : on_signal_(std::move(on_signal)) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
    thread_ = std::thread([this] { Wait(); });
  }
  ~ShutdownSignals() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    // Wakes sigwait() with a signal this process's own thread consumes as "done".
    pthread_kill(thread_.native_handle(), SIGTERM);
    thread_.join();
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  bool stopping() const { return count_.load() > 0; }
  // Sleeps until `until` or a signal; returns false when stopping.
  bool SleepUntil(std::chrono::steady_clock::time_point until) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_until(lock, until, [this] { return stopping(); });
    return !stopping();
  }

 private:
  void Wait() {
    for (;;) {
      int sig = 0;
      sigwait(&set_, &sig);
      std::lock_guard<std::mutex> lock(mu_);
      if (done_) return;
      on_signal_(++count_);
      cv_.notify_all();
    }
  }
  std::function<void(int)> on_signal_;
  sigset_t set_, old_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<int> count_{0};
  bool done_ = false;
  std::thread thread_;
};

}  // namespace gatescope::commands
