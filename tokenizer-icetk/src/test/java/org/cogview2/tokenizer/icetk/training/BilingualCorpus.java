package org.cogview2.tokenizer.icetk.training;

import org.cogview2.api.Style;

import java.util.ArrayList;
import java.util.List;

/** A small generated caption corpus: English and Chinese captions, and every style template around some of them. */
final class BilingualCorpus {

    private static final String[] EN_SUBJECTS = {"cat", "dog", "tiger", "horse", "bird", "girl", "boy", "old man",
            "robot", "house", "tree", "flower", "car", "boat", "castle", "dragon"};
    private static final String[] EN_ADJECTIVES = {"small", "big", "red", "blue", "golden", "happy", "sleeping",
            "ancient", "cute", "dark"};
    private static final String[] EN_PLACES = {"in the snow", "on the beach", "under the moon", "in a forest",
            "at night", "in the city", "on a mountain", "by the river"};

    private static final String[] ZH_SUBJECTS = {"猫", "狗", "老虎", "马", "鸟", "女孩", "男孩", "老人", "机器人", "房子",
            "树", "花", "汽车", "小船", "城堡", "龙"};
    private static final String[] ZH_ADJECTIVES = {"小小的", "巨大的", "红色的", "蓝色的", "金色的", "快乐的", "睡着的",
            "古老的", "可爱的", "黑暗的"};
    private static final String[] ZH_PLACES = {"在雪地里", "在海滩上", "在月光下", "在森林中", "在夜晚", "在城市里",
            "在山顶上", "在河边"};

    final List<String> english = new ArrayList<>();
    final List<String> chinese = new ArrayList<>();
    final List<String> templates = new ArrayList<>();

    /** {@code count} captions per language, always the same ones. */
    BilingualCorpus(int count) {
        for (int i = 0; i < count; i++) {
            // Strides coprime with the array lengths walk through the combinations without a random source.
            int s = i % EN_SUBJECTS.length;
            int a = (i * 3 + i / EN_SUBJECTS.length) % EN_ADJECTIVES.length;
            int p = (i * 5 + i / 7) % EN_PLACES.length;
            english.add(article(EN_ADJECTIVES[a]) + " " + EN_ADJECTIVES[a] + " " + EN_SUBJECTS[s] + " " + EN_PLACES[p]);
            chinese.add("一个" + ZH_ADJECTIVES[a] + ZH_SUBJECTS[s] + ZH_PLACES[p]);
        }
        for (Style style : Style.values()) {
            for (int i = 0; i < 5; i++) {
                templates.add(style.apply(i % 2 == 0 ? english.get(i * 7) : chinese.get(i * 7)));
            }
        }
    }

    /** Everything, the order fixed: the corpus the trainer is given. */
    List<String> all() {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < english.size(); i++) {
            all.add(english.get(i));
            all.add(chinese.get(i));
        }
        all.addAll(templates);
        return all;
    }

    private static String article(String word) {
        return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an" : "a";
    }
}
