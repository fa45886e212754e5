// "Did you mean ...?" for misspelt keys, step ids, types and activity names.
#ifndef STEADFAST_DEFINITION_SUGGEST_H_
#define STEADFAST_DEFINITION_SUGGEST_H_

#include <string>
#include <string_view>
#include <vector>

namespace steadfast {

// Optimal-string-alignment edit distance (insert, delete, substitute,
// transpose adjacent characters), byte-wise.
int EditDistance(std::string_view a, std::string_view b);

// The candidate closest to word, if close enough to be a plausible typo
// (distance at most max(1, min(3, length/3))), else "". Ties go to the first.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" when ClosestMatch finds one, else "".
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace steadfast

#endif  // STEADFAST_DEFINITION_SUGGEST_H_
