import EventLoop
import Foundation
import Testing

/// A helper beside the loop (`report`'s doctor): output through the polled pipe, reaped without
/// blocking, killed at a timeout.
@Suite("running process")
struct RunningProcessTests {
  @Test func outputAndStatusArriveWithoutWaiting() throws {
    let process = try #require(RunningProcess(["/bin/sh", "-c", "echo one; echo two >&2; exit 3"]))
    let deadline = Date().addingTimeInterval(10)
    // As the loop does: wait on the pipe until it closes, then for the exit.
    while !process.poll() && Date() < deadline {
      let interests = process.outputDescriptor >= 0 ? [Poller.Interest(fd: process.outputDescriptor)] : []
      _ = Poller.wait(interests, timeoutMs: 20)
    }
    #expect(String(decoding: process.output, as: UTF8.self) == "one\n")  // stderr is /dev/null
    #expect(process.status == 3)
  }

  @Test func aHelperThatHangsIsKilled() throws {
    let process = try #require(RunningProcess(["/bin/sleep", "30"]))
    #expect(!process.poll())
    process.kill()
    #expect(process.status == 128 + SIGKILL)
  }

  @Test func aMissingProgramIsNil() {
    #expect(RunningProcess(["/nonexistent/doctor"]) == nil)
  }
}
