// ListAllRefunds over a scripted PspAdapter: every page is followed, and a
// listing that cannot be complete is an error, never a shorter list that
// reconciliation would take for the whole truth.
#include <gtest/gtest.h>

#include <deque>

#include "refund/psp/psp_adapter.h"
#include "refund_only_psp.h"

namespace steadfast::refund {
namespace {

// Answers ListRefunds with the scripted pages, in order; records the cursors.
class PagedPsp : public RefundOnlyPsp {
 public:
  std::deque<RemoteResult<RefundPage>> pages;
  std::vector<std::string> cursors;

  RemoteResult<PspRefund> Refund(const RefundRequest&) override {
    return ActivityError::NonRetryable("unused", "not scripted");
  }
  RemoteResult<PspRefund> GetRefund(std::string_view) override {
    return ActivityError::NonRetryable("unused", "not scripted");
  }
  RemoteResult<RefundPage> ListRefunds(const ListRefundsRequest& request) override {
    cursors.push_back(request.starting_after);
    if (pages.empty()) return ActivityError::NonRetryable("unscripted", "no more pages scripted");
    RemoteResult<RefundPage> next = std::move(pages.front());
    pages.pop_front();
    return next;
  }
};

RefundPage Page(std::vector<std::string> ids, bool has_more) {
  RefundPage page;
  for (std::string& id : ids) {
    PspRefund r;
    r.id = std::move(id);
    page.refunds.push_back(std::move(r));
  }
  page.has_more = has_more;
  return page;
}

TEST(ListAllRefunds, FollowsEveryPageWithTheLastIdAsCursor) {
  PagedPsp psp;
  psp.pages = {Page({"re_5", "re_4"}, true), Page({"re_3", "re_2"}, true), Page({"re_1"}, false)};
  auto all = ListAllRefunds(psp, ListRefundsRequest{});
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(all->size(), 5u);
  EXPECT_EQ(psp.cursors, (std::vector<std::string>{"", "re_4", "re_2"}));
}

TEST(ListAllRefunds, ExactlyTheCapIsComplete) {
  PagedPsp psp;
  psp.pages = {Page({"re_3", "re_2"}, true), Page({"re_1"}, false)};
  auto all = ListAllRefunds(psp, ListRefundsRequest{}, 3);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(all->size(), 3u);
}

// The bug this pins: the listing used to stop at the cap and report success.
TEST(ListAllRefunds, MoreThanTheCapIsAnErrorNotATruncatedList) {
  PagedPsp psp;
  psp.pages = {Page({"re_5", "re_4"}, true), Page({"re_3", "re_2"}, true), Page({"re_1"}, false)};
  auto all = ListAllRefunds(psp, ListRefundsRequest{}, 3);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.error().code, kPspListingIncomplete);
  EXPECT_EQ(all.error().kind, ErrorKind::kNonRetryable);
  EXPECT_NE(all.error().message.find("more than 3 refunds"), std::string::npos) << all.error().message;
}

TEST(ListAllRefunds, AnEmptyPageThatPromisesMoreIsAnError) {
  PagedPsp psp;
  psp.pages = {Page({"re_2"}, true), Page({}, true)};
  auto all = ListAllRefunds(psp, ListRefundsRequest{});
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.error().code, kPspListingIncomplete);
}

TEST(ListAllRefunds, ACursorThatDoesNotMoveIsAnError) {
  PagedPsp psp;
  psp.pages = {Page({"re_2"}, true), Page({"re_2"}, true), Page({"re_2"}, true)};
  auto all = ListAllRefunds(psp, ListRefundsRequest{});
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.error().code, kPspListingIncomplete);
}

TEST(ListAllRefunds, AFailingPageFailsTheWholeListing) {
  PagedPsp psp;
  psp.pages = {Page({"re_2"}, true)};
  psp.pages.emplace_back(ActivityError::Retryable("psp_unavailable", "503"));
  auto all = ListAllRefunds(psp, ListRefundsRequest{});
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.error().code, "psp_unavailable");
}

}  // namespace
}  // namespace steadfast::refund
