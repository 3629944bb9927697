// One long-lived thread on which every native job of the addon runs.
//
// Why: Node runs AsyncWorkers on whichever libuv pool thread is free, and OpenMP (Debian's oneDNN
// runtime) keeps a separate worker team per calling thread. Consecutive runs of one session then
// land on different teams whose idle threads still spin, and a batch-1 ResNet-18 took ~50 ms
// instead of ~35 ms on 2 cores. Funnelling all jobs through one thread keeps one warm team.
// The libuv thread only waits (no CPU) while the job runs here.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

namespace qwb_addon {

class Executor {
 public:
  /** The process-wide executor. Never destroyed: its thread is detached and ends with the process. */
  static Executor& instance() {
    static Executor* e = new Executor();
    return *e;
  }

  /** Runs fn on the executor thread and waits for it; an exception thrown by fn is rethrown here. */
  void run(const std::function<void()>& fn) {
    std::packaged_task<void()> task(fn);
    std::future<void> done = task.get_future();
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(task));
    }
    cv_.notify_one();
    done.get();
  }

 private:
  Executor() { std::thread([this] { loop(); }).detach(); }

  void loop() {
    for (;;) {
      std::packaged_task<void()> task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return !queue_.empty(); });
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      task();  // exceptions are stored in the task's future
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::packaged_task<void()>> queue_;
};

}  // namespace qwb_addon
