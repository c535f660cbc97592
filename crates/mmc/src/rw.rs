//! Reading and writing blocks: READ(10)/(12), WRITE(10)/(12) with the Streaming bit, SYNCHRONIZE CACHE(10), READ CAPACITY(10) and its data.
