# distutils: language = c++
# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The channel's best-first search, compiled: channel.py's read_back without the interpreter.

The search (see Channel.read_back for what it does and why) expands a few hundred states per
token, and in Python each costs microseconds of dictionary, string and heap work; on mangled
text that was 90% of the cleaner's time. Here the lexicon is a trie of C arrays (each letter
of its alphabet one byte, numbered in code point order so that byte order is code point
order), a state is a small struct (trie node, position, and an interned prefix for the
finished parts of a compound), the cheapest cost per state sits in an open-addressing table
and the queue holds small entries that point into a pool of states, in buckets by cost (a
bucket is made a 4-ary heap only once it is the cheapest); all of it is kept from one search
to the next, so a search allocates almost nothing. The generic edits of a
state are queued as one batch, made only if the search reaches their cost, and each character
window's ways to read on are worked out once and kept. One Search must not run two searches
at once (Channel holds a lock around it).

It is a transcription, not a new algorithm: states are expanded in the same order (cost,
position, output, compound part, generic edits, rarest part: Python's tuple order), ties
are broken the same way, and the floating-point sums are done in the same order, so the
readings are identical to the Python search (tests/reference_search.py);
tests/test_clean_search.py checks that on every search the samples make.
"""

from libc.stdint cimport uint32_t, uint64_t
from libc.string cimport memcpy
from libcpp.string cimport string
from libcpp.vector cimport vector

ctypedef unsigned char Code  # a letter of the lexicon's alphabet, 1..255


cdef extern from *:
    """
    #include <algorithm>
    #include <cstdint>
    #include <cstring>
    #include <string>
    #include <unordered_map>
    #include <vector>

    // A state of the search. Its output is the interned prefix (the finished parts of a
    // compound chain) followed by the current part, which is the trie node's path.
    struct SearchState {
        double cost;
        double low;     // rarest finished part of a compound chain (1.0: none)
        int pos;        // characters of the token consumed
        int node;       // trie node of the current compound part
        int generic;    // generic edits made
        int partlen;    // letters of the current part
        int prefix;     // id of the interned prefix (0: none)
        int outlen;     // letters of the whole output
        uint64_t head;  // its letters 0-7, big-endian, zero-padded: most ties end here
        uint64_t head2; // its letters 8-15
        int batch;      // 1: not a state but the generic edits of one, queued unexpanded
    };

    // The heads of an output grown by `text` (letters at positions outlen, outlen + 1, ...).
    static inline void grow_head(SearchState& grown, const SearchState& from, const std::string& text) {
        grown.head = from.head;
        grown.head2 = from.head2;
        for (size_t k = 0; k < text.size(); ++k) {
            int at = from.outlen + (int)k;
            if (at >= 16) break;
            uint64_t letter = (uint64_t)(unsigned char)text[k];
            if (at < 8) grown.head |= letter << (8 * (7 - at));
            else grown.head2 |= letter << (8 * (15 - at));
        }
    }

    // An entry of the queue: the keys that order most states, and where the state is.
    struct Queued {
        double cost;
        int pos;
        int index;  // into Frontier::pool
        uint64_t head;
    };

    // The queued entries of one cost. Costs only grow as a search goes on (every step costs
    // zero or more), so the queue is a list of these, cheapest last: an entry goes into the
    // bucket of its cost, and a bucket becomes a heap only when it is the cheapest, which
    // half of them never are (the search ends first).
    struct Bucket {
        double cost;
        bool heaped;
        std::vector<Queued> items;
    };

    // One slot of the cheapest-cost table.
    struct Slot {
        uint64_t key;
        double cost;
    };

    // The queue, the cheapest cost per state, and the interned prefixes of one search. A
    // search keeps its Frontier for the next: the vectors keep their memory and only the
    // slots a search used are emptied again.
    class Frontier {
    public:
        const int* parent = nullptr;
        const unsigned char* node_code = nullptr;
        std::vector<std::string> prefixes;
        std::unordered_map<std::string, int> prefix_ids;
        // The queue holds 24-byte entries in buckets by cost (see Bucket), cheapest last; the
        // states sit in the pool, which only grows during a search. Moving entries rather
        // than 72-byte states is what a heap does most.
        std::vector<Bucket> buckets;
        std::vector<std::vector<Queued>> spare;  // the entry lists of emptied buckets, reused
        size_t queued = 0;
        std::vector<SearchState> pool;
        // Cheapest cost per state key: open addressing, linear probing (a search touches a
        // few hundred to a few thousand states).
        std::vector<Slot> slots = std::vector<Slot>(1024, Slot{EMPTY, 0.0});
        std::vector<size_t> used_slots;
        static constexpr uint64_t EMPTY = ~(uint64_t)0;

        void reset(const int* parent_, const unsigned char* node_code_) {
            parent = parent_;
            node_code = node_code_;
            prefixes.assign(1, std::string());
            prefix_ids.clear();
            for (Bucket& bucket : buckets) {
                bucket.items.clear();
                spare.push_back(std::move(bucket.items));
            }
            buckets.clear();
            queued = 0;
            pool.clear();
            for (size_t at : used_slots) slots[at].key = EMPTY;
            used_slots.clear();
        }
        size_t slot(uint64_t k) const {
            size_t mask = slots.size() - 1;
            size_t at = (size_t)((k * 0x9E3779B97F4A7C15ull) >> 20) & mask;
            while (slots[at].key != EMPTY && slots[at].key != k) at = (at + 1) & mask;
            return at;
        }
        void grow() {
            std::vector<Slot> old(slots.size() * 2, Slot{EMPTY, 0.0});
            old.swap(slots);
            used_slots.clear();
            for (const Slot& entry : old) {
                if (entry.key == EMPTY) continue;
                size_t at = slot(entry.key);
                slots[at] = entry;
                used_slots.push_back(at);
            }
        }
        static uint64_t key(int pos, int node, int prefix) {
            return ((uint64_t)(uint32_t)pos << 44) ^ ((uint64_t)(uint32_t)node << 22) ^ (uint64_t)(uint32_t)prefix;
        }
        void part(int node, int partlen, std::string& into) const {
            size_t at = into.size();
            into.resize(at + partlen);
            for (int k = partlen - 1; k >= 0; --k) {
                into[at + k] = (char)node_code[node];
                node = parent[node];
            }
        }
        // Compare outputs, then parts, as Python compares strings (no allocation).
        int compare_out(const SearchState& a, const SearchState& b) const {
            char x[512], y[512];
            int nx = fill(a, x, sizeof x), ny = fill(b, y, sizeof y);
            if (nx < 0 || ny < 0) {
                std::string sx = out(a), sy = out(b);
                int c = sx.compare(sy);
                if (c != 0) return c;
                return sx.compare(sx.size() - a.partlen, a.partlen, sy, sy.size() - b.partlen, b.partlen);
            }
            int c = std::memcmp(x, y, (size_t)std::min(nx, ny));
            if (c != 0) return c;
            if (nx != ny) return nx < ny ? -1 : 1;
            c = std::memcmp(x + nx - a.partlen, y + ny - b.partlen, (size_t)std::min(a.partlen, b.partlen));
            if (c != 0) return c;
            return a.partlen == b.partlen ? 0 : (a.partlen < b.partlen ? -1 : 1);
        }
        int fill(const SearchState& s, char* buf, int size) const {
            const std::string& prefix = prefixes[s.prefix];
            int n = (int)prefix.size() + s.partlen;
            if (n > size) return -1;
            std::memcpy(buf, prefix.data(), prefix.size());
            int node = s.node;
            for (int k = n - 1; k >= (int)prefix.size(); --k) {
                buf[k] = (char)node_code[node];
                node = parent[node];
            }
            return n;
        }
        std::string out(const SearchState& s) const {
            std::string text = prefixes[s.prefix];
            part(s.node, s.partlen, text);
            return text;
        }
        // Python's order of (cost, pos, out, part, generic, low): is a after b? The queue's
        // entries hold the first keys and the first letters, which settle most comparisons.
        bool queued_after(const Queued& a, const Queued& b) const {
            if (a.cost != b.cost) return a.cost > b.cost;
            if (a.pos != b.pos) return a.pos > b.pos;
            if (a.head != b.head) return a.head > b.head;
            return after_out(pool[a.index], pool[b.index]);
        }
        // The rest of that order, for two states of equal cost, position and first letters.
        bool after_out(const SearchState& a, const SearchState& b) const {
            if (a.head2 != b.head2) return a.head2 > b.head2;
            if (a.prefix != b.prefix || a.node != b.node) {
                int c = compare_out(a, b);
                if (c != 0) return c > 0;
            }
            if (a.generic != b.generic) return a.generic > b.generic;
            return a.low > b.low;
        }
        double best_or(const SearchState& s, double fallback) const {
            const Slot& entry = slots[slot(key(s.pos, s.node, s.prefix))];
            return entry.key == EMPTY ? fallback : entry.cost;
        }
        // Queue the state unless this state was reached at least as cheaply already.
        void offer(const SearchState& s, double fallback) {
            uint64_t k = key(s.pos, s.node, s.prefix);
            size_t at = slot(k);
            if (s.cost < (slots[at].key == EMPTY ? fallback : slots[at].cost)) {
                if (slots[at].key == EMPTY) {
                    slots[at].key = k;
                    slots[at].cost = s.cost;
                    used_slots.push_back(at);
                    if (used_slots.size() * 2 > slots.size()) grow();
                } else {
                    slots[at].cost = s.cost;
                }
                push(s);
            }
        }
        bool empty() const { return queued == 0; }
        // Queue without the cheapest-cost check (a batch of generic edits).
        void push(const SearchState& s) {
            Queued entry{s.cost, s.pos, (int)pool.size(), s.head};
            pool.push_back(s);
            ++queued;
            // Most entries cost what the cheapest queued ones cost, or a little more: look
            // from the cheapest end.
            size_t at = buckets.size();
            while (at > 0 && buckets[at - 1].cost < s.cost) --at;
            if (at > 0 && buckets[at - 1].cost == s.cost) {
                Bucket& bucket = buckets[at - 1];
                bucket.items.push_back(entry);
                if (bucket.heaped) sift_up(bucket.items, bucket.items.size() - 1, entry);
                return;
            }
            Bucket bucket{s.cost, false, {}};
            if (!spare.empty()) {
                bucket.items = std::move(spare.back());
                spare.pop_back();
            }
            bucket.items.push_back(entry);
            buckets.insert(buckets.begin() + at, std::move(bucket));
        }
        SearchState pop() {
            Bucket& bucket = buckets.back();
            std::vector<Queued>& items = bucket.items;
            if (!bucket.heaped) {  // Floyd's heapify, from the last entry with children up
                if (items.size() > 1)
                    for (size_t at = (items.size() - 2) / 4 + 1; at-- > 0;) sift_down(items, at, items[at]);
                bucket.heaped = true;
            }
            SearchState s = pool[items[0].index];
            Queued last = items.back();
            items.pop_back();
            --queued;
            if (!items.empty()) {
                sift_down(items, 0, last);
            } else {
                spare.push_back(std::move(items));
                buckets.pop_back();
            }
            return s;
        }
        // A 4-ary heap within a bucket: half the levels of a binary one, the children of a
        // node side by side (a pop compares them within one or two cache lines).
        void sift_up(std::vector<Queued>& heap, size_t at, const Queued& entry) const {
            while (at > 0) {
                size_t up = (at - 1) / 4;
                if (!queued_after(heap[up], entry)) break;
                heap[at] = heap[up];
                at = up;
            }
            heap[at] = entry;
        }
        void sift_down(std::vector<Queued>& heap, size_t at, Queued entry) const {
            size_t n = heap.size();
            for (;;) {
                size_t first = 4 * at + 1;
                if (first >= n) break;
                size_t best = first, end = std::min(first + 4, n);
                for (size_t k = first + 1; k < end; ++k)
                    if (queued_after(heap[best], heap[k])) best = k;
                if (!queued_after(entry, heap[best])) break;
                heap[at] = heap[best];
                at = best;
            }
            heap[at] = entry;
        }
        // The id of the output of s as a finished prefix (a compound part just ended).
        int intern(const SearchState& s) {
            std::string text = out(s);
            auto found = prefix_ids.find(text);
            if (found != prefix_ids.end()) return found->second;
            int id = (int)prefixes.size();
            prefixes.push_back(text);
            prefix_ids.emplace(text, id);
            return id;
        }
    };
    """
    cdef cppclass SearchState:
        double cost
        double low
        int pos
        int node
        int generic
        int partlen
        int prefix
        int outlen
        uint64_t head
        uint64_t head2
        int batch

    cdef cppclass Queued:
        pass

    void grow_head(SearchState&, SearchState&, string&)
    void __builtin_prefetch(const void*) nogil
    int __builtin_popcount(unsigned int) nogil

    cdef cppclass Frontier:
        bint empty()
        void reset(const int*, const Code*)
        string out(SearchState&) except +
        double best_or(SearchState&, double)
        void offer(SearchState&, double) except +
        void push(SearchState&) except +
        SearchState pop()
        int intern(SearchState&) except +


# Windows of characters whose readings are remembered, at most (a few MB).
cdef size_t MAX_KNOWN_WINDOWS = 200_000


cdef struct Step:
    int consumed
    double cost
    string text  # alphabet codes


cdef struct TrieNode:
    # Bits 0-21: the id of its first child (a node's children have consecutive ids); bit 22:
    # a word ends here; bits 23-31: how many of its children have letters coded above 32.
    uint32_t packed
    uint32_t low     # which of the letters coded 1..32 its children are (bit code - 1)


cdef enum:
    FIRST_CHILD_BITS = 22  # so a trie has fewer than 2**22 nodes (Frontier::key assumes it too)
    IS_WORD_BIT = 1 << 22
    HIGH_SHIFT = 23


cdef inline int first_child(const TrieNode* node) noexcept nogil:
    return <int>(node.packed & ((<uint32_t>1 << FIRST_CHILD_BITS) - 1))


cdef inline bint ends_word(const TrieNode* node) noexcept nogil:
    return (node.packed & IS_WORD_BIT) != 0


cdef inline int child_count(const TrieNode* node) noexcept nogil:
    return __builtin_popcount(node.low) + <int>(node.packed >> HIGH_SHIFT)


# The size of a trie node in a cached state (index.py keys its caches by it: a state saved
# with another layout is not read back).
TRIE_NODE_BYTES = sizeof(TrieNode)


cdef class Trie:
    """The candidate words as a trie: children in code point order, a frequency per node.

    Nodes are numbered breadth first, so a node's children lie side by side in one array of
    8-byte records, and each node holds a bit set of its children's letters: looking a letter
    up reads the node alone, and a letter it lacks (most lookups) costs no other memory. The
    letter that leads to a node is kept apart (node_code), as only outputs and the rare
    letters coded above 32 need it. The search is bound by memory latency, not arithmetic (a
    pointer-chasing layout was twice as slow; numbering each subtree's nodes together instead
    of breadth first gained nothing; 8-byte nodes against 12 took 3-4% off the search and
    16 MB off a process).
    """

    cdef vector[TrieNode] nodes
    cdef vector[double] frequency  # -1: no word ends here
    cdef vector[int] parent
    cdef vector[Code] node_code    # node -> the letter that leads to it
    cdef dict code_of              # letter -> its byte code (1..255)
    cdef str letters               # byte code -> letter (index 0 unused)
    cdef Code s_code               # the linking s of compounds (0: not in the alphabet)

    def __init__(self, dict words):
        alphabet = sorted({ch for word in words for ch in word})
        if len(alphabet) > 255:
            raise ValueError(f"the lexicon uses {len(alphabet)} letters; the search handles 255")
        self.code_of = {ch: i + 1 for i, ch in enumerate(alphabet)}
        self.letters = "\0" + "".join(alphabet)
        self.s_code = self.code_of.get("s", 0)
        # Built depth first (children appended in code point order as the words come
        # sorted), then renumbered breadth first.
        cdef vector[vector[int]] children = vector[vector[int]](1)
        cdef vector[Code] code_at = vector[Code](1, 0)
        cdef vector[double] frequency = vector[double](1, -1.0)
        cdef vector[int] parent = vector[int](1, -1)
        cdef int node, child, k, at, high
        cdef Code code
        for word in sorted(words):
            node = 0
            for ch in word:
                code = self.code_of[ch]
                child = -1
                if children[node].size() and code_at[children[node].back()] == code:
                    child = children[node].back()
                if child < 0:
                    child = <int>frequency.size()
                    children[node].push_back(child)
                    children.push_back(vector[int]())
                    code_at.push_back(code)
                    frequency.push_back(-1.0)
                    parent.push_back(node)
                node = child
            frequency[node] = words[word]
        cdef int total = <int>frequency.size()
        if total >= (1 << FIRST_CHILD_BITS):
            raise ValueError("the lexicon's trie has more nodes than the search can number")
        cdef vector[int] order = vector[int](1, 0)  # breadth-first order of the old ids
        cdef vector[int] renumbered = vector[int](total, 0)
        for at in range(total):
            node = order[at]
            for k in range(<int>children[node].size()):
                renumbered[children[node][k]] = <int>order.size()
                order.push_back(children[node][k])
        self.nodes.resize(total)
        self.frequency.resize(total)
        self.parent.resize(total)
        self.node_code.resize(total)
        for at in range(total):
            node = order[at]
            self.nodes[at].packed = renumbered[children[node][0]] if children[node].size() else 0
            self.nodes[at].low = 0
            high = 0
            for k in range(<int>children[node].size()):
                if code_at[children[node][k]] <= 32:
                    self.nodes[at].low |= (<uint32_t>1) << (code_at[children[node][k]] - 1)
                else:
                    high += 1
            self.nodes[at].packed |= <uint32_t>high << HIGH_SHIFT
            if frequency[node] >= 0.0:
                self.nodes[at].packed |= IS_WORD_BIT
            self.frequency[at] = frequency[node]
            self.parent[at] = renumbered[parent[node]] if node else -1
            self.node_code[at] = code_at[node]

    def __len__(self):
        return self.nodes.size()

    def state(self) -> tuple:
        """The built trie as (letters, nodes, frequencies, parents, letter codes) bytes: what
        from_state needs to rebuild it in a few milliseconds, where building takes a third of
        a second."""
        cdef size_t n = self.nodes.size()
        return (
            self.letters,
            (<char*>self.nodes.data())[: n * sizeof(TrieNode)],
            (<char*>self.frequency.data())[: n * sizeof(double)],
            (<char*>self.parent.data())[: n * sizeof(int)],
            (<char*>self.node_code.data())[:n],
        )

    @staticmethod
    def from_state(tuple state):
        """The trie whose state() this is."""
        if len(state) != 5:
            raise ValueError("not the state of a trie")
        letters, nodes, frequency, parent, node_code = state
        cdef size_t n = len(nodes) // sizeof(TrieNode)
        if len(nodes) != n * sizeof(TrieNode) or len(frequency) != n * sizeof(double) \
                or len(parent) != n * sizeof(int) or len(node_code) != n or n == 0:
            raise ValueError("not the state of a trie")
        cdef Trie trie = Trie.__new__(Trie)
        trie.letters = letters
        trie.code_of = {ch: i for i, ch in enumerate(letters) if i}
        trie.s_code = trie.code_of.get("s", 0)
        trie.nodes.resize(n)
        trie.frequency.resize(n)
        trie.parent.resize(n)
        trie.node_code.resize(n)
        cdef const char* raw_nodes = nodes
        cdef const char* raw_frequency = frequency
        cdef const char* raw_parent = parent
        cdef const char* raw_node_code = node_code
        memcpy(trie.nodes.data(), raw_nodes, n * sizeof(TrieNode))
        memcpy(trie.frequency.data(), raw_frequency, n * sizeof(double))
        memcpy(trie.parent.data(), raw_parent, n * sizeof(int))
        memcpy(trie.node_code.data(), raw_node_code, n)
        return trie

    cdef inline int child(self, int node, Code code) noexcept nogil:
        # A letter coded 1..32 (all of them in a Swedish lexicon) is looked up in the node's
        # own bit set, without reading its children: the children sort by code, so the
        # child's place is the number of lower bits set. Others are scanned for, after those.
        cdef const TrieNode* here = &self.nodes[node]
        cdef uint32_t bit
        cdef int k, first = first_child(here)
        if code <= 32:
            bit = (<uint32_t>1) << (code - 1)
            if not (here.low & bit):
                return -1
            return first + __builtin_popcount(here.low & (bit - 1))
        for k in range(first + __builtin_popcount(here.low), first + child_count(here)):
            if self.node_code[k] == code:
                return k
            if self.node_code[k] > code:
                return -1
        return -1

    cdef inline int walk(self, int node, const string& codes) noexcept nogil:
        cdef size_t k
        for k in range(codes.size()):
            node = self.child(node, <Code>codes[k])
            if node < 0:
                return -1
        return node

    cdef bint encode(self, str text, string* codes):
        """Append the codes of `text`; False when a letter is not in the alphabet."""
        for ch in text:
            code = self.code_of.get(ch)
            if code is None:
                return False
            codes.push_back(<char><Code>code)
        return True

    cdef str decode(self, const string& codes):
        return "".join([self.letters[<Code>codes[k]] for k in range(codes.size())])

    def has_prefix(self, str text):
        """Is `text` the beginning of a word (or a word)?"""
        cdef string codes
        return self.encode(text, &codes) and self.walk(0, codes) >= 0


cdef class Forms:
    """Could hunspell accept this lowercase string? False when it is neither a word form of
    hunspell's dictionary nor a chain of forms in the roles a compound's parts need
    (pipeline/clean/forms.py says what and why). The trie holds the forms, each with its
    role bits (forms.BEGIN, MIDDLE, END, ALONE) where a word's frequency would be."""

    cdef Trie trie
    cdef int min_part
    cdef readonly tuple breaks  # hunspell's BREAK patterns (forms.read_apart)

    def __init__(self, Trie trie, int min_part, tuple breaks=()):
        self.trie = trie
        self.min_part = min_part
        self.breaks = breaks

    cdef inline int role(self, int node) noexcept nogil:
        cdef double value = self.trie.frequency[node]
        return <int>value if value >= 0.0 else 0

    def possible(self, str word) -> bool:
        cdef string codes
        if not self.trie.encode(word, &codes):
            return False  # a letter no form has
        cdef int n = <int>codes.size(), m = self.min_part
        cdef int node = self.trie.walk(0, codes), i, j, k, start, bits
        if node >= 0 and self.role(node) & 8:  # ALONE: a form of its own
            return True
        if n < 2 * m:
            return False
        # reached[j]: word[:j] is a chain of parts, the first able to begin a compound and
        # the others to stand in its middle.
        cdef vector[char] reached = vector[char](n + 1, 0)
        node = 0
        for j in range(1, n - m + 1):
            node = self.trie.child(node, <Code>codes[j - 1])
            if node < 0:
                break
            if j >= m and self.role(node) & 1:  # BEGIN
                reached[j] = 1
        for i in range(m, n - m + 1):
            if not reached[i]:
                continue
            for k in range(2):
                # With SIMPLIFIEDTRIPLE the next part may share a doubled letter (glas|s|kål).
                start = i - k
                if k and codes[i - 1] != codes[i - 2]:
                    continue
                node = 0
                for j in range(start + 1, n + 1):
                    node = self.trie.child(node, <Code>codes[j - 1])
                    if node < 0:
                        break
                    if j - start < m:
                        continue
                    bits = self.role(node)
                    if j == n:
                        if bits & 4:  # END
                            return True
                    elif j <= n - m and bits & 2:  # MIDDLE
                        reached[j] = 1
        return False


cdef class Search:
    """The confusion table and the search constants of channel.py, ready for read_back."""

    cdef dict by_first      # first character -> [(wrong, right, cost)] in table order
    cdef int reach          # the most characters a confusion spans
    cdef object trie        # the trie the windows below were encoded for
    cdef tuple window_ids   # by drop_letters: characters from a position on -> index in known
    cdef vector[vector[Step]] known
    cdef dict drop_cost     # character -> cheapest way to drop it
    cdef double generic_cost, margin, generic_from_cost, max_cost_per_char, min_budget, max_cost
    cdef double compound_part_min_frequency, compound_cost
    cdef int generic_edits_long_token, compound_min_part, max_candidates
    cdef Frontier frontier  # kept from search to search (see Frontier)

    def __init__(self, list confusions, dict constants):
        self.by_first, self.drop_cost, self.window_ids, self.trie = {}, {}, ({}, {}), None
        self.reach = max([len(wrong) for wrong, _, _ in confusions], default=1)
        for wrong, right, cost in confusions:
            self.by_first.setdefault(wrong[0], []).append((wrong, right, cost))
            if not right and len(wrong) == 1:
                self.drop_cost[wrong] = cost
        self.generic_cost = constants["GENERIC_COST"]
        self.margin = constants["MARGIN"]
        self.generic_from_cost = constants["GENERIC_FROM_COST"]
        self.max_cost_per_char = constants["MAX_COST_PER_CHAR"]
        self.min_budget = constants["MIN_BUDGET"]
        self.max_cost = constants["MAX_COST"]
        self.compound_part_min_frequency = constants["COMPOUND_PART_MIN_FREQUENCY"]
        self.compound_cost = constants["COMPOUND_COST"]
        self.generic_edits_long_token = constants["GENERIC_EDITS_LONG_TOKEN"]
        self.compound_min_part = constants["COMPOUND_MIN_PART"]
        self.max_candidates = constants["MAX_CANDIDATES"]

    cdef vector[int] steps(self, Trie trie, str token):
        """For each position of the token, the index of its ways to read on in self.known,
        -1 until the search first gets there (window_id): a search that finds no word
        beginning as the token does never looks at most of its positions."""
        if trie is not self.trie or self.known.size() > MAX_KNOWN_WINDOWS:
            self.trie, self.window_ids = trie, ({}, {})
            self.known.clear()
        return vector[int](len(token), -1)

    cdef int window_id(self, Trie trie, str token, Py_ssize_t at, bint drop_letters) except -1:
        """The index in self.known of the ways to read on from token[at].

        Channel.steps, keeping only outputs spelt with the lexicon's letters. What can be
        read at a position depends only on the characters a confusion can span from there
        (self.reach), so each such window is worked out once and remembered.
        """
        window = token[at : at + self.reach]
        cdef dict window_ids = self.window_ids[drop_letters]
        known = window_ids.get(window)
        if known is not None:
            return known
        cdef int found = <int>self.known.size()
        self.known.push_back(self.window_steps(trie, window, drop_letters))
        window_ids[window] = found
        return found

    cdef vector[Step] window_steps(self, Trie trie, str window, bint drop_letters):
        cdef vector[Step] table
        cdef Step step
        ch = window[0]
        options = {}  # (consumed, text) -> cost, in insertion order like channel.py
        if ch.isalpha():
            options[(1, ch.lower())] = 0.0
        for wrong, right, cost in self.by_first.get(ch, ()):
            if window.startswith(wrong):
                key = (len(wrong), right)
                options[key] = min(options.get(key, self.generic_cost), cost)
        if drop_letters or not ch.isalpha():
            options.setdefault((1, ""), self.drop_cost.get(ch, self.generic_cost))
        for (consumed, text), cost in options.items():
            step.text.clear()
            if trie.encode(text, &step.text):
                step.consumed, step.cost = consumed, cost
                table.push_back(step)
        return table

    def read_back(
        self,
        Trie trie,
        str token,
        tuple stops=(),
        int max_expansions=400,
        accept=None,
        bint generic_edits=True,
        bint compounds=True,
    ):
        """Channel.read_back over the trie: {stop: [(word, cost, chain frequency), ...]}."""
        cdef int n = len(token)
        if n >= (1 << 20):
            raise ValueError("token too long to search")
        stops = stops or (n,)
        cdef double budget = min(self.max_cost, max(self.min_budget, self.max_cost_per_char * max(stops)))
        cdef int max_generic = (
            (2 if n >= self.generic_edits_long_token else 1) if generic_edits else 0
        )
        cdef vector[int] steps = self.steps(trie, token)
        cdef vector[char] is_stop = vector[char](n + 1, 0)
        for stop in stops:
            is_stop[stop] = 1
        cdef int stop_count = len(stops), cut = 0
        found = {stop: {} for stop in stops}
        cdef vector[char] is_cut = vector[char](n + 1, 0)  # the stop has its cut-off
        cdef vector[char] has_word = vector[char](n + 1, 0)  # a lexicon word reads the stop
        cdef double highest_cutoff = -1.0
        # What a new state may cost: the budget, and once every stop has its cut-off, the
        # highest of them. The search ends at the first state dearer than that, so such a
        # state would never be taken out: not queuing it changes no reading (the Python
        # search queues it).
        cdef double limit = budget
        cdef Frontier* frontier = &self.frontier
        frontier.reset(trie.parent.data(), trie.node_code.data())
        cdef SearchState state, grown
        state.cost, state.low, state.pos, state.node = 0.0, 1.0, 0, 0
        state.generic, state.partlen, state.prefix, state.outlen, state.head, state.head2 = 0, 0, 0, 0, 0, 0
        state.batch = 0
        grown.batch = 0
        frontier.offer(state, 1.0)
        cdef int expansions = 0, i, node, k, child
        cdef double cost, total, frequency, part_frequency, rarest
        cdef bint read
        cdef Step* step
        while not frontier.empty() and expansions < max_expansions:
            state = frontier.pop()
            cost, i, node = state.cost, state.pos, state.node
            if state.batch:
                if cut == stop_count and cost > highest_cutoff:
                    break
                self.generic_readings(trie, frontier[0], state, token, budget)
                continue
            if cost > frontier.best_or(state, budget):
                continue  # a cheaper way to this state was expanded already
            if cut == stop_count and cost > highest_cutoff:
                break
            expansions += 1
            part_frequency = trie.frequency[node] if ends_word(&trie.nodes[node]) else -1.0
            if is_stop[i] and part_frequency >= 0.0:
                out = trie.decode(frontier.out(state))
                readings = found[i]
                read = False  # a reading of this stop was kept
                if state.prefix == 0:
                    readings.setdefault(out, (cost, 0.0))
                    read = True
                    has_word[i] = 1
                elif state.partlen >= self.compound_min_part:
                    # The same chain may be cut in several places: keep its most plausible cut.
                    # A new chain is read only while no lexicon word reads the stop (at no more
                    # cost: states come cheapest first).
                    old = readings.get(out)
                    rarest = min(state.low, part_frequency)
                    if (
                        old is None
                        and not has_word[i]
                        and (accept is None or accept(out))
                        or old
                        and old[1]
                        and rarest > old[1]
                        and cost <= old[0] + self.margin
                    ):
                        readings[out] = (old[0] if old else cost, rarest)
                        read = True
                if read and not is_cut[i]:
                    is_cut[i] = 1
                    cut += 1
                    highest_cutoff = max(highest_cutoff, cost + self.margin)
                    if cut == stop_count:
                        limit = min(budget, highest_cutoff)
            if compounds and state.partlen >= self.compound_min_part:
                # a part may end in the linking s of a compound (`försäkrings|center`)
                frequency = max(part_frequency, 0.0)
                if trie.node_code[node] == trie.s_code and ends_word(&trie.nodes[trie.parent[node]]):
                    frequency = max(frequency, trie.frequency[trie.parent[node]])
                if frequency >= self.compound_part_min_frequency:
                    grown.cost = cost + self.compound_cost
                    if grown.cost <= limit:
                        grown.low, grown.pos, grown.generic = min(state.low, frequency), i, state.generic
                        grown.prefix, grown.node, grown.partlen = frontier.intern(state), 0, 0
                        grown.outlen, grown.head, grown.head2 = state.outlen, state.head, state.head2
                        frontier.offer(grown, budget + 1.0)
            if i == n:
                continue
            if steps[i] < 0:
                steps[i] = self.window_id(trie, token, i, generic_edits)
            for k in range(<int>self.known[steps[i]].size()):
                step = &self.known[steps[i]][k]
                grown.cost = cost + step.cost
                if grown.cost > limit:
                    continue
                child = trie.walk(node, step.text)
                if child < 0:
                    continue
                # The search waits on memory more than it computes: ask for the new state's
                # node now (its letters' bit set), which its expansion (if it comes) reads first.
                __builtin_prefetch(&trie.nodes[child])
                grown.low, grown.pos, grown.node, grown.generic = state.low, i + step.consumed, child, state.generic
                grown.partlen, grown.prefix = state.partlen + <int>step.text.size(), state.prefix
                grown.outlen = state.outlen + <int>step.text.size()
                grow_head(grown, state, step.text)
                frontier.offer(grown, budget + 1.0)
            if (
                state.generic < max_generic
                and cost <= self.generic_from_cost
                and cost + self.generic_cost <= limit
            ):
                # Its generic edits (up to two per letter that may follow) are queued as one
                # batch at their common cost and position, and made only if the search gets
                # there: it mostly ends before. The batch sorts before every state it makes
                # (same cost and position, a shorter output), so the order is unchanged.
                state.cost, state.pos, state.batch = cost + self.generic_cost, i + 1, 1
                frontier.push(state)
        result = {}
        for stop, readings in found.items():
            if not readings:  # most stops of most searches
                result[stop] = []
                continue
            ranked = sorted(readings.items(), key=lambda item: item[1][0])[: self.max_candidates]
            result[stop] = [(word, c, chain_frequency) for word, (c, chain_frequency) in ranked]
        return result

    cdef void generic_readings(
        self, Trie trie, Frontier& frontier, SearchState& batch, str token, double budget
    ) except *:
        """Another letter in place of token[i], or a letter OCR dropped before it."""
        cdef int i = batch.pos - 1, k, first, child, here_node
        cdef string here, text
        cdef bint here_known = True
        cdef Code letter
        cdef SearchState grown = batch
        ch = token[i]
        if ch.isalpha():
            here_known = trie.encode(ch.lower(), &here)
        grown.batch, grown.generic = 0, batch.generic + 1
        first = first_child(&trie.nodes[batch.node])
        for k in range(first, first + child_count(&trie.nodes[batch.node])):
            letter, child = trie.node_code[k], k
            text.assign(1, <char>letter)
            if not (here_known and here.size() == 1 and <Code>here[0] == letter):
                grown.node, grown.partlen, grown.outlen = child, batch.partlen + 1, batch.outlen + 1
                grow_head(grown, batch, text)
                frontier.offer(grown, budget + 1.0)
            if here_known and here.size():
                here_node = trie.walk(child, here)
                if here_node >= 0:
                    text.append(here)
                    grown.node, grown.partlen = here_node, batch.partlen + <int>text.size()
                    grown.outlen = batch.outlen + <int>text.size()
                    grow_head(grown, batch, text)
                    frontier.offer(grown, budget + 1.0)
